using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Board.Web.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Board.Tests.Security;

/// <summary>Low limits, and the real password cost: what a flood and a guesser meet.</summary>
public sealed class LimitedApp : BoardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:SignInPerAddress"] = "8",
        ["RateLimits:SignInPerAccount"] = "4",
        ["RateLimits:WritesPerMinute"] = "30",
        ["RateLimits:WriteBurst"] = "10",
        ["RateLimits:PreviewsPerMinute"] = "30",
        ["RateLimits:PreviewBurst"] = "10",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Identity's default cost, so a skipped hash would show as a clear difference in time.
        builder.ConfigureServices(s => s.Configure<PasswordHasherOptions>(o => o.IterationCount = 100_000));
    }
}

[Trait("Kind", "Api")]
public sealed class RateLimitTests(LimitedApp app) : IClassFixture<LimitedApp>
{
    /// <summary>A client that says, through the trusted loopback proxy, that it is at <paramref name="address"/>.</summary>
    private HttpClient From(string address)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password });

    [Fact]
    public async Task Flood_OfPosts_Gets429WithRetryAfter_AndOnlyTheBurstLands()
    {
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff2");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 25; i++)
        {
            var response = await staff.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = $"Flood {i}", body = "" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused ??= response;
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Created), 10, 12); // the burst, and a token or two refilled meanwhile
        Assert.NotNull(refused);
        var problem = await refused.IsProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))) >= 1);
        Assert.True(problem.GetProperty("retryAfter").GetInt32() >= 1);

        // Another member is not held back by this one's flood.
        using var other = await app.SignInAsync("staff3");
        Assert.Equal(HttpStatusCode.Created, (await other.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = "Unaffected", body = "" })).StatusCode);
    }

    [Fact]
    public async Task Flood_OfPreviews_Gets429WithRetryAfter_AndOtherMembersStillPreview()
    {
        using var staff = await app.SignInAsync("staff1");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20; i++)
        {
            var response = await staff.Client.PostAsJsonAsync("/api/preview", new { body = $"**draft {i}**" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused ??= response;
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 10, 12);
        Assert.NotNull(refused);
        await refused.IsProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After"))) >= 1);
        using var other = await app.SignInAsync("ops1");
        Assert.Equal(HttpStatusCode.OK, (await other.Client.PostAsJsonAsync("/api/preview", new { body = "fine" })).StatusCode);
    }

    [Fact]
    public async Task FloodOfWrongPasswords_FromOneAddress_DoesNotKeepTheMemberOutFromAnother()
    {
        using var attacker = From("203.0.113.7");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++) statuses.Add((await LoginAsync(attacker, "ops3@demo.board", $"wrong-{i}")).StatusCode);
        Assert.Equal(4, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.All(statuses.Skip(4), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        var refused = await LoginAsync(attacker, "ops3@demo.board", DemoSeeder.Password);
        await refused.IsProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(refused.Headers.RetryAfter is not null);

        // The member, elsewhere, signs in at once: no lockout, no shared counter.
        using var member = From("198.51.100.20");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(member, "ops3@demo.board", DemoSeeder.Password)).StatusCode);
    }

    [Fact]
    public async Task OneAddress_TryingManyAccounts_IsLimitedPerAddress()
    {
        using var sprayer = From("192.0.2.99");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++) statuses.Add((await LoginAsync(sprayer, $"nobody{i}@demo.board", "Wrong-password-1")).StatusCode);
        Assert.Equal(8, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        using var elsewhere = From("192.0.2.100");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(elsewhere, "staff1@demo.board", DemoSeeder.Password)).StatusCode);
    }

    [Fact]
    public async Task UnknownAndKnownEmails_CostTheSame_AndSayTheSame()
    {
        async Task<(double Ms, string Body)> TimeAsync(string email, int i)
        {
            using var client = From($"10.9.{i / 200}.{i % 200 + 1}"); // a fresh address each time: the limits stay out of it
            var started = Stopwatch.GetTimestamp();
            var response = await LoginAsync(client, email, "Not-the-password-1");
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            return (ms, await response.Content.ReadAsStringAsync());
        }

        await TimeAsync("staff1@demo.board", 0); // warm up both paths
        await TimeAsync("warm@demo.board", 1);
        var known = new List<double>();
        var unknown = new List<double>();
        string? knownBody = null, unknownBody = null;
        for (var i = 0; i < 12; i++)
        {
            var k = await TimeAsync("manager@demo.board", 10 + 2 * i);
            var u = await TimeAsync($"no-such-{i}@demo.board", 11 + 2 * i);
            known.Add(k.Ms);
            unknown.Add(u.Ms);
            (knownBody, unknownBody) = (k.Body, u.Body);
        }

        // The same words; only the trace id, which names the request, differs.
        static string WithoutTraceId(string? body) => System.Text.RegularExpressions.Regex.Replace(body ?? "", "\"traceId\":\"[0-9a-f]+\"", "");
        Assert.Equal(WithoutTraceId(knownBody), WithoutTraceId(unknownBody));
        var (medianKnown, medianUnknown) = (Median(known), Median(unknown));
        // Without the dummy hash the unknown email answers in a fraction of the time (no PBKDF2 at 100,000 rounds).
        Assert.True(medianUnknown > medianKnown * 0.6 && medianUnknown < medianKnown * 1.6,
            $"median known {medianKnown:0.0} ms, unknown {medianUnknown:0.0} ms");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
