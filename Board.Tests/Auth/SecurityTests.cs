using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Demo;
using Board.Web.Security;

namespace Board.Tests.Auth;

[Trait("Kind", "Api")]
public sealed class SecurityTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/api/me")]
    [InlineData("/no-such-page")]
    public async Task EveryResponse_CarriesACspWithoutInlineScript_AndNoSniff(string path)
    {
        using var client = app.Anonymous();
        var response = await client.GetAsync(path);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("style-src 'self'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task CookiePost_WithoutAntiforgeryHeader_IsRefused_AndChangesNothing()
    {
        var board = await app.FirstBoardAsync();
        using var browser = await CookieClientAsync("staff1");
        var before = await TotalAsync(browser, board.Id);

        var response = await browser.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = "Forged", body = "x" });

        await response.IsProblemAsync(HttpStatusCode.BadRequest, BrowserRequestGuard.ProblemCode);
        Assert.Equal(before, await TotalAsync(browser, board.Id));
    }

    [Fact]
    public async Task CookiePost_WithTheMembersToken_IsAccepted()
    {
        var board = await app.FirstBoardAsync();
        using var browser = await CookieClientAsync("staff2");
        var token = await TokenAsync(browser);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/boards/{board.Id}/proposals")
        {
            Content = JsonContent.Create(new { title = "Label the spare trolleys", body = "So the night shift finds them." }),
        };
        request.Headers.Add(BrowserRequestGuard.HeaderName, token);
        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task CookieDelete_WithAnotherMembersToken_IsRefused()
    {
        using var staff = await CookieClientAsync("staff3");
        using var ops = await CookieClientAsync("ops4");
        var staffToken = await TokenAsync(staff);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        request.Headers.Add(BrowserRequestGuard.HeaderName, staffToken);
        var response = await ops.SendAsync(request);

        await response.IsProblemAsync(HttpStatusCode.BadRequest, BrowserRequestGuard.ProblemCode);
    }

    [Fact]
    public async Task BearerPost_NeedsNoAntiforgeryToken()
    {
        var board = await app.FirstBoardAsync();
        using var api = await app.SignInAsync("staff1");
        var response = await api.Client.PostAsJsonAsync($"/api/boards/{board.Id}/proposals", new { title = "From a script", body = "" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task AnonymousPost_IsStill401_NotAnAntiforgeryError()
    {
        using var client = app.Anonymous();
        var response = await client.PostAsJsonAsync("/api/preview", new { body = "*hi*" });
        await response.IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData("http://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://127.0.0.1:1", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.OK)]
    [InlineData("self", HttpStatusCode.OK)]
    public async Task Hub_RefusesOtherOrigins(string? origin, HttpStatusCode expected)
    {
        using var api = await app.SignInAsync("staff1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/board/negotiate?negotiateVersion=1");
        if (origin is not null) request.Headers.Add("Origin", origin == "self" ? app.BaseAddress.GetLeftPart(UriPartial.Authority) : origin);
        var response = await api.Client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task DemoSignIns_AreListedInDevelopment()
    {
        using var client = app.Anonymous();
        var demo = await client.GetFromJsonAsync<JsonElement>("/api/auth/demo");
        Assert.Equal(DemoSeeder.Password, demo.GetProperty("password").GetString());
        Assert.Contains(demo.GetProperty("members").EnumerateArray(), m => m.GetProperty("email").GetString() == "ops1@demo.board");
    }

    private async Task<HttpClient> CookieClientAsync(string who)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new() }) { BaseAddress = app.BaseAddress };
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email = $"{who}@demo.board", password = DemoSeeder.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return client;
    }

    private static async Task<string> TokenAsync(HttpClient browser) =>
        (await browser.GetFromJsonAsync<JsonElement>("/api/auth/antiforgery")).GetProperty("token").GetString()!;

    private static async Task<int> TotalAsync(HttpClient client, Guid boardId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/boards/{boardId}/proposals")).GetProperty("total").GetInt32();
}
