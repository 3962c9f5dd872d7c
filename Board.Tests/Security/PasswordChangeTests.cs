using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Demo;
using Board.Web.Security;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Security;

/// <summary>At most three password attempts per account and address, so the limit shows within a test.</summary>
public sealed class PasswordLimitedApp : BoardApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["RateLimits:SignInPerAccount"] = "3" };
}

/// <summary>
/// <c>POST /api/me/password</c>: the old password stops working, every other cookie, token and hub connection of the
/// member ends (within 2 s for the hub), the session that asked goes on, and the trail says so without the password.
/// </summary>
[Trait("Kind", "Api")]
public sealed class PasswordChangeTests(BoardApp app) : IClassFixture<BoardApp>
{
    public const string NewPassword = "Fresh!pass42";

    internal static async Task<string> NewMemberAsync(BoardApp app, string roles = "staff")
    {
        using var admin = await app.SignInAsync("admin");
        var email = $"p{Guid.NewGuid():N}@test.board";
        var created = await admin.Client.PostAsJsonAsync("/api/members", new { email, displayName = "Changes Password", password = DemoSeeder.Password, roles = new[] { roles } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return email;
    }

    private async Task<HttpClient> BrowserAsync(string email)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = app.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/login", new { email, password = DemoSeeder.Password })).StatusCode);
        var xsrf = (await client.GetFromJsonAsync<JsonElement>("/api/auth/antiforgery")).GetProperty("token").GetString()!;
        client.DefaultRequestHeaders.Add(BrowserRequestGuard.HeaderName, xsrf);
        return client;
    }

    private async Task<HttpStatusCode> LoginStatusAsync(string email, string password)
    {
        using var client = app.Anonymous();
        return (await client.PostAsJsonAsync("/api/auth/login", new { email, password })).StatusCode;
    }

    [Fact]
    public async Task FromTheBrowser_EndsEveryOtherSessionAndHubConnection_KeepsThisOne_AndTheTrailHoldsNoPassword()
    {
        var email = await NewMemberAsync(app);
        using var browser = await BrowserAsync(email);
        using var otherBrowser = await BrowserAsync(email);
        using var token = await app.SignInAsync(email);
        await using var hub = await token.ConnectAsync();
        await hub.InvokeAsync("Watch", (await app.FirstBoardAsync()).Id);
        var closed = new TaskCompletionSource();
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        var changed = await browser.PostAsJsonAsync("/api/me/password", new { current = DemoSeeder.Password, @new = NewPassword });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var started = Stopwatch.StartNew();
        var fresh = (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"hub connection closed after {started.Elapsed.TotalMilliseconds:0} ms");
        await (await token.Client.GetAsync("/api/me")).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(HttpStatusCode.Unauthorized, (await otherBrowser.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/me")).StatusCode);
        using var withFresh = app.Anonymous();
        withFresh.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fresh);
        Assert.Equal(HttpStatusCode.OK, (await withFresh.GetAsync("/api/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatusAsync(email, DemoSeeder.Password));
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(email, NewPassword));

        var trail = await browser.GetStringAsync("/api/audit?action=member.password-changed&limit=200");
        Assert.DoesNotContain(NewPassword, trail, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoSeeder.Password, trail, StringComparison.Ordinal);
        Assert.DoesNotContain(email, trail, StringComparison.OrdinalIgnoreCase);
        var me = (await browser.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("id").GetString();
        var entries = JsonDocument.Parse(trail).RootElement.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("data").GetProperty("memberId").GetString() == me).ToList();
        var entry = Assert.Single(entries);
        Assert.Equal(me, entry.GetProperty("actor").GetProperty("id").GetString());
    }

    [Fact]
    public async Task WithABearerToken_ReturnsTheTokenThatGoesOn_AndTheOldOneEnds()
    {
        var email = await NewMemberAsync(app);
        using var session = await app.SignInAsync(email);
        var changed = await session.Client.PostAsJsonAsync("/api/me/password", new { current = DemoSeeder.Password, @new = NewPassword });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var fresh = (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Client.GetAsync("/api/me")).StatusCode);
        session.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fresh);
        Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync("/api/me")).StatusCode);
    }

    [Theory]
    [InlineData("Wrong!pass1", NewPassword, "current")]
    [InlineData(DemoSeeder.Password, "short1!", "new")]
    [InlineData(DemoSeeder.Password, "alllowercaseletters", "new")]
    [InlineData(DemoSeeder.Password, DemoSeeder.Password, "new")]
    public async Task ARefusedChange_NamesTheField_AndChangesNothing(string current, string @new, string field)
    {
        var email = await NewMemberAsync(app);
        using var session = await app.SignInAsync(email);
        var problem = await (await session.Client.PostAsJsonAsync("/api/me/password", new { current, @new }))
            .IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await LoginStatusAsync(email, DemoSeeder.Password));
    }

    [Fact]
    public async Task WithoutSignIn_IsRefused()
    {
        using var client = app.Anonymous();
        await (await client.PostAsJsonAsync("/api/me/password", new { current = DemoSeeder.Password, @new = NewPassword }))
            .IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}

[Trait("Kind", "Api")]
public sealed class PasswordChangeLimitTests(PasswordLimitedApp app) : IClassFixture<PasswordLimitedApp>
{
    [Fact]
    public async Task GuessingTheCurrentPassword_IsRateLimited_WithRetryAfter()
    {
        var email = await PasswordChangeTests.NewMemberAsync(app);
        using var session = await app.SignInAsync(email);
        for (var i = 0; i < 3; i++)
            await (await session.Client.PostAsJsonAsync("/api/me/password", new { current = $"Guess!{i}xx", @new = PasswordChangeTests.NewPassword }))
                .IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        var limited = await session.Client.PostAsJsonAsync("/api/me/password", new { current = DemoSeeder.Password, @new = PasswordChangeTests.NewPassword });
        await limited.IsProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}
