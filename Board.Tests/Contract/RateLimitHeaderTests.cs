using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Board.Tests.Contract;

/// <summary>A burst of three writes (and three previews) per member, refilled slowly: the limits are reached within a test.</summary>
public sealed class ThreeWritesApp : BoardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:WriteBurst"] = "3",
        ["RateLimits:WritesPerMinute"] = "1",
        ["RateLimits:PreviewBurst"] = "3",
        ["RateLimits:PreviewsPerMinute"] = "1",
    };
}

/// <summary>
/// Limited routes say their limit and what is left of it (IETF <c>RateLimit-Policy</c> / <c>RateLimit</c>), and the 429
/// beyond it says when to come back (<c>Retry-After</c>, <c>r=0</c>) — all as the document promises.
/// </summary>
[Trait("Kind", "Api")]
public sealed class RateLimitHeaderTests(ThreeWritesApp app) : IClassFixture<ThreeWritesApp>
{
    [Fact]
    public async Task Writes_CountDown_ThenAre429WithRetryAfter_AsDocumented()
    {
        using var anonymous = app.Anonymous();
        var contract = new ContractValidator(JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject());
        var board = await app.FirstBoardAsync();
        using var staff = await app.SignInAsync("staff3");
        const string template = "/api/boards/{boardId}/proposals";

        var remaining = new List<string>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await staff.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = $"Limited {i}", body = "" });
            await contract.CheckResponseAsync("POST", template, last);
            Assert.Equal("\"writes\";q=3;w=180", string.Join(",", last.Headers.GetValues("RateLimit-Policy")));
            remaining.Add(string.Join(",", last.Headers.GetValues("RateLimit")));
        }
        Assert.Equal(["\"writes\";r=2;t=60", "\"writes\";r=1;t=60", "\"writes\";r=0;t=60"], remaining.Take(3));
        await last!.IsProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        var retryAfter = (int)last!.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal($"\"writes\";r=0;t={retryAfter}", remaining[3]);
        Assert.Empty(contract.Violations);

        // Reads are not limited and say nothing of it.
        var read = await staff.Client.GetAsync($"/api/boards/{board.Id}/proposals");
        Assert.False(read.Headers.Contains("RateLimit-Policy"));
    }

    [Fact]
    public async Task Previews_BeyondTheirBurst_Are429RateLimited_AsDocumented()
    {
        using var anonymous = app.Anonymous();
        var contract = new ContractValidator(JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject());
        using var staff = await app.SignInAsync("staff2");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await staff.Client.PostAsJsonAsync("/api/preview", new { body = $"**draft {i}**" });
            await contract.CheckResponseAsync("POST", "/api/preview", last);
            statuses.Add(last.StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        await last!.IsProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.InRange((int)last!.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Empty(contract.Violations);
    }
}
