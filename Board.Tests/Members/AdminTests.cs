using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Web.Auth;
using Board.Web.Boards;
using Board.Web.Demo;
using Board.Web.Proposals;
using Board.Web.Trail;
using Board.Web.Webhooks;

namespace Board.Tests.Members;

[Trait("Kind", "Api")]
public sealed class AdminTests(BoardApp app) : IClassFixture<BoardApp>
{
    private const string Secret = "a-receiver-secret-of-some-length";

    [Theory]
    [InlineData("staff1")]
    [InlineData("ops1")]
    [InlineData("manager")]
    public async Task EveryAdminRoute_RefusesStaffOperationsAndManagers(string who)
    {
        using var admin = await app.SignInAsync("admin");
        using var member = await app.SignInAsync(who);
        var board = await admin.NewBoardAsync();
        var hook = await admin.AddWebhookAsync(board.Id, new Uri("http://127.0.0.1:9/hook"), Secret, "board.renamed");
        var staff2 = (await admin.Client.GetFromJsonAsync<List<MemberDto>>("/api/members", BoardApp.Json))!.Single(m => m.Email == "staff2@demo.board");
        var headBefore = await HeadSeqAsync(admin);

        (HttpMethod Method, string Path, object? Body)[] routes =
        [
            (HttpMethod.Get, "/api/members", null),
            (HttpMethod.Post, "/api/members", new { email = "new-one@demo.board", displayName = "New One", password = DemoSeeder.Password, roles = new[] { "admin" } }),
            (HttpMethod.Put, $"/api/members/{staff2.Id}/roles", new { roles = new[] { "admin" } }),
            (HttpMethod.Post, $"/api/members/{staff2.Id}/deactivate", null),
            (HttpMethod.Post, $"/api/members/{staff2.Id}/reactivate", null),
            (HttpMethod.Post, "/api/boards", new { name = "Mine now" }),
            (HttpMethod.Put, $"/api/boards/{board.Id}", new { name = "Mine now" }),
            (HttpMethod.Put, $"/api/boards/{board.Id}/policy", new { approvalsRequired = 1, approverRole = "staff", expiresAfterDays = 0 }),
            (HttpMethod.Get, $"/api/boards/{board.Id}/webhooks", null),
            (HttpMethod.Post, $"/api/boards/{board.Id}/webhooks", new { url = "https://example.org/hook", secret = Secret }),
            (HttpMethod.Get, $"/api/webhooks/{hook.Id}", null),
            (HttpMethod.Delete, $"/api/webhooks/{hook.Id}", null),
            (HttpMethod.Get, $"/api/webhooks/{hook.Id}/deliveries", null),
            (HttpMethod.Post, $"/api/deliveries/{Guid.NewGuid()}/redeliver", null),
        ];
        foreach (var (method, path, body) in routes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            var response = await member.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{who}: {method} {path} → {(int)response.StatusCode} {text}");
            Assert.Equal("forbidden", JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        }

        Assert.Equal(headBefore, await HeadSeqAsync(admin));
        Assert.Single((await admin.Client.GetFromJsonAsync<List<WebhookDto>>($"/api/boards/{board.Id}/webhooks", BoardApp.Json))!);
        var after = (await admin.Client.GetFromJsonAsync<BoardDto>($"/api/boards/{board.Id}", BoardApp.Json))!;
        Assert.Equal(board.Name, after.Name);
        Assert.Equal(board.Policy, after.Policy);
    }

    [Fact]
    public async Task DeactivatedMember_CannotSignIn_TheirTokenStops_AndTheirApprovalStaysButNoLongerCounts()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        var email = $"op-{Guid.NewGuid():N}"[..12] + "@demo.board";
        var created = await admin.Client.PostAsJsonAsync("/api/members", new { email, displayName = "Leaving Op", password = DemoSeeder.Password, roles = new[] { "operations" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var leaving = await app.SignInAsync(email);
        var board = await admin.NewBoardAsync(approvalsRequired: 2);
        var proposal = await staff.PostAsync(board.Id);
        Assert.Equal(HttpStatusCode.OK, (await leaving.ApproveAsync(proposal.Id)).StatusCode);

        var deactivated = await admin.Client.PostAsync($"/api/members/{leaving.Member.Id}/deactivate", null);
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.False((await deactivated.Content.ReadFromJsonAsync<MemberDto>(BoardApp.Json))!.IsActive);

        await (await leaving.Client.GetAsync("/api/me")).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await leaving.ApproveAsync(proposal.Id)).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        using (var anonymous = app.Anonymous())
            await (await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = DemoSeeder.Password })).IsProblemAsync(HttpStatusCode.Unauthorized, "inactive");

        // The next approval re-checks the count: the deactivated member's approval stays, marked as not counting.
        var afterOps1 = (await (await ops1.ApproveAsync(proposal.Id)).Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Equal("open", afterOps1.Status);
        Assert.Equal(1, afterOps1.ApprovalCount);
        Assert.False(afterOps1.Approvals.Single(a => a.MemberId == leaving.Member.Id).Counts);
        Assert.True(afterOps1.Approvals.Single(a => a.MemberId == ops1.Member.Id).Counts);
        var afterOps2 = (await (await ops2.ApproveAsync(proposal.Id)).Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Equal("executed", afterOps2.Status);
        Assert.Equal(3, afterOps2.Approvals.Count);

        var trail = (await admin.Client.GetFromJsonAsync<TrailPage>("/api/audit?action=member.deactivated", BoardApp.Json))!;
        Assert.Contains(trail.Items, e => e.Data.GetProperty("memberId").GetGuid() == leaving.Member.Id);

        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PostAsync($"/api/members/{leaving.Member.Id}/reactivate", null)).StatusCode);
        using var back = await app.SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await back.Client.GetAsync("/api/me")).StatusCode);
        Assert.Contains((await admin.Client.GetFromJsonAsync<TrailPage>("/api/audit?action=member.reactivated", BoardApp.Json))!.Items,
            e => e.Data.GetProperty("memberId").GetGuid() == leaving.Member.Id);
    }

    [Fact]
    public async Task Admin_CannotDeactivateThemselves()
    {
        using var admin = await app.SignInAsync("admin");
        var problem = await (await admin.Client.PostAsync($"/api/members/{admin.Member.Id}/deactivate", null)).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _));
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.GetAsync("/api/me")).StatusCode);
        await (await admin.Client.PostAsync($"/api/members/{Guid.NewGuid()}/deactivate", null)).IsProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData("ftp://example.org/hook", Secret, "url")]
    [InlineData("/relative/hook", Secret, "url")]
    [InlineData("javascript:alert(1)", Secret, "url")]
    [InlineData("https://user:pw@example.org/hook", Secret, "url")]
    [InlineData("not a url", Secret, "url")]
    [InlineData("https://example.org/hook", "too-short", "secret")]
    public async Task Webhook_WithABadUrlOrSecret_Is400WithTheField(string url, string secret, string field)
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync();
        var response = await admin.Client.PostAsJsonAsync($"/api/boards/{board.Id}/webhooks", new { url, secret });
        var problem = await response.IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty((await admin.Client.GetFromJsonAsync<List<WebhookDto>>($"/api/boards/{board.Id}/webhooks", BoardApp.Json))!);
    }

    [Fact]
    public async Task Webhook_UnknownAction_Is400_AndAnOmittedSecretIsGeneratedAndShownOnce()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync();
        var bad = await admin.Client.PostAsJsonAsync($"/api/boards/{board.Id}/webhooks", new { url = "https://example.org/hook", actions = new[] { "proposal.exploded" } });
        Assert.True((await bad.IsProblemAsync(HttpStatusCode.BadRequest, "validation")).GetProperty("errors").TryGetProperty("actions", out _));
        await (await admin.Client.PostAsJsonAsync($"/api/boards/{Guid.NewGuid()}/webhooks", new { url = "https://example.org/hook", secret = Secret }))
            .IsProblemAsync(HttpStatusCode.NotFound, "not-found");

        var created = await admin.Client.PostAsJsonAsync($"/api/boards/{board.Id}/webhooks", new { url = "https://example.org/hook", actions = new[] { "proposal.executed" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hook = (await created.Content.ReadFromJsonAsync<CreatedWebhookDto>(BoardApp.Json))!;
        Assert.Matches("^[0-9a-f]{64}$", hook.Secret);
        Assert.Equal(["proposal.executed"], hook.Actions);
        Assert.Equal($"/api/webhooks/{hook.Id}", created.Headers.Location?.ToString());

        var list = await admin.Client.GetStringAsync($"/api/boards/{board.Id}/webhooks");
        var one = await admin.Client.GetStringAsync($"/api/webhooks/{hook.Id}");
        var trail = await admin.Client.GetStringAsync($"/api/audit?boardId={board.Id}&action=webhook.created");
        Assert.Contains(hook.Id.ToString(), list);
        Assert.Contains(hook.Id.ToString(), trail);
        Assert.DoesNotContain(hook.Secret, list);
        Assert.DoesNotContain(hook.Secret, one);
        Assert.DoesNotContain(hook.Secret, trail);
        Assert.DoesNotContain("secret", trail, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/webhooks/{hook.Id}")).StatusCode);
        Assert.Empty((await admin.Client.GetFromJsonAsync<List<WebhookDto>>($"/api/boards/{board.Id}/webhooks", BoardApp.Json))!);
        var deleted = (await admin.Client.GetFromJsonAsync<List<WebhookDto>>($"/api/boards/{board.Id}/webhooks?includeDeleted=true", BoardApp.Json))!;
        Assert.NotNull(Assert.Single(deleted).DeletedAt);
        Assert.Single((await admin.Client.GetFromJsonAsync<TrailPage>($"/api/audit?boardId={board.Id}&action=webhook.deleted", BoardApp.Json))!.Items);
    }

    private static async Task<long> HeadSeqAsync(Session admin) =>
        (await admin.Client.GetFromJsonAsync<TrailPage>("/api/audit?limit=1", BoardApp.Json))!.HeadSeq;
}
