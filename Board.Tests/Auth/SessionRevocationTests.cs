using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Demo;
using Board.Web.Security;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Auth;

/// <summary>Deactivation, a role change and sign-out end the cookies, tokens and hub connections issued before them.</summary>
[Trait("Kind", "Api")]
public sealed class SessionRevocationTests(BoardApp app) : IClassFixture<BoardApp>
{
    private async Task<(Session Admin, Guid Id, string Email)> NewMemberAsync(string roles = "operations")
    {
        var admin = await app.SignInAsync("admin");
        var email = $"m{Guid.NewGuid():N}@test.board";
        var created = await admin.Client.PostAsJsonAsync("/api/members", new { email, displayName = "Revocable", password = DemoSeeder.Password, roles = new[] { roles } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return (admin, id, email);
    }

    /// <summary>A browser-like client, and its cookie as someone who copied it would send it from elsewhere.</summary>
    private async Task<(HttpClient Client, string Cookie)> CookieClientAsync(string email)
    {
        var jar = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = jar }) { BaseAddress = app.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/login", new { email, password = DemoSeeder.Password })).StatusCode);
        return (client, jar.GetCookieHeader(app.BaseAddress));
    }

    private async Task<HttpStatusCode> MeWithCookieAsync(string cookieHeader)
    {
        using var client = app.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add("Cookie", cookieHeader);
        return (await client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task OldCookieAndToken_AreRefused_AfterDeactivateAndReactivate()
    {
        var (admin, id, email) = await NewMemberAsync();
        using var _ = admin;
        using var member = await app.SignInAsync(email);
        var (browser, cookie) = await CookieClientAsync(email);
        using var ownedBrowser = browser;
        Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MeWithCookieAsync(cookie));

        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PostAsync($"/api/members/{id}/deactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PostAsync($"/api/members/{id}/reactivate", null)).StatusCode);

        await (await member.Client.GetAsync("/api/me")).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(HttpStatusCode.Unauthorized, await MeWithCookieAsync(cookie));
        // Signing in again works and gives a session that does.
        using var again = await app.SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await again.Client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task OldCookieAndToken_AreRefused_AfterSignOut()
    {
        var (admin, _, email) = await NewMemberAsync("staff");
        admin.Dispose();
        using var token = await app.SignInAsync(email);
        var (browser, cookie) = await CookieClientAsync(email);
        using var ownedBrowser = browser;
        var xsrf = (await browser.GetFromJsonAsync<JsonElement>("/api/auth/antiforgery")).GetProperty("token").GetString()!;

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/logout");
        logout.Headers.Add(BrowserRequestGuard.HeaderName, xsrf);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(logout)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeWithCookieAsync(cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, (await token.Client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task RoleChange_EndsTheTokensIssuedBeforeIt()
    {
        var (admin, id, email) = await NewMemberAsync("staff");
        using var _ = admin;
        using var member = await app.SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync($"/api/members/{id}/roles", new { roles = new[] { "staff", "operations" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Client.GetAsync("/api/me")).StatusCode);
        using var again = await app.SignInAsync(email);
        Assert.Equal(["staff", "operations"], again.Member.Roles);
    }

    [Fact]
    public async Task DeactivatedMembersOpenHubConnection_IsClosedWithinTwoSeconds_AndCannotReconnect()
    {
        var (admin, id, email) = await NewMemberAsync();
        using var _ = admin;
        using var member = await app.SignInAsync(email);
        var board = await app.FirstBoardAsync();
        await using var hub = await member.ConnectAsync();
        await hub.InvokeAsync("Watch", board.Id);
        var closed = new TaskCompletionSource();
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PostAsync($"/api/members/{id}/deactivate", null)).StatusCode);
        var started = Stopwatch.StartNew();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"closed after {started.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
        await Assert.ThrowsAnyAsync<Exception>(() => member.ConnectAsync());
    }

    [Fact]
    public async Task SignedOutMembersHubConnection_IsClosed_OnASecondInstanceToo()
    {
        await using var second = app.SecondInstance();
        await second.InitializeAsync();
        var (admin, _, email) = await NewMemberAsync("staff");
        admin.Dispose();
        using var member = await app.SignInAsync(email);
        // The token works on the other instance (shared keys), and so does its revocation: no message between them.
        var onSecond = member with { App = second, Client = second.Anonymous() };
        onSecond.Client.DefaultRequestHeaders.Authorization = member.Client.DefaultRequestHeaders.Authorization;
        await using var hub = await onSecond.ConnectAsync();
        var closed = new TaskCompletionSource();
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.PostAsync("/api/auth/logout", null)).StatusCode);
        var started = Stopwatch.StartNew();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), $"closed after {started.Elapsed.TotalMilliseconds:0} ms");
        onSecond.Client.Dispose();
    }
}
