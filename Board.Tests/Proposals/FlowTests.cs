using System.Net;
using System.Net.Http.Json;
using Board.Web.Proposals;
using Board.Web.Trail;

namespace Board.Tests.Proposals;

[Trait("Kind", "Api")]
public sealed class FlowTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task PostThenThreeApprovals_Executes_AndEveryRefusalChangesNothing()
    {
        var board = await app.FirstBoardAsync();
        using var staff1 = await app.SignInAsync("staff1");
        using var staff2 = await app.SignInAsync("staff2");
        using var ops1 = await app.SignInAsync("ops1");
        using var ops2 = await app.SignInAsync("ops2");
        using var ops3 = await app.SignInAsync("ops3");
        using var ops4 = await app.SignInAsync("ops4");

        var posted = await staff1.PostAsync(board.Id);
        Assert.Equal("open", posted.Status);
        Assert.Equal(3, posted.ApprovalsRequired);

        await (await staff2.ApproveAsync(posted.Id)).IsProblemAsync(HttpStatusCode.Forbidden, "not-approver");
        await (await staff1.ApproveAsync(posted.Id)).IsProblemAsync(HttpStatusCode.Forbidden, "own-proposal");
        await (await app.Anonymous().PostAsync($"/api/proposals/{posted.Id}/approvals", null)).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal(posted.Version, (await staff1.GetAsync(posted.Id)).Version);

        Assert.Equal(HttpStatusCode.OK, (await ops1.ApproveAsync(posted.Id)).StatusCode);
        await (await ops1.ApproveAsync(posted.Id)).IsProblemAsync(HttpStatusCode.Conflict, "already-approved");
        Assert.Equal(HttpStatusCode.OK, (await ops2.ApproveAsync(posted.Id)).StatusCode);
        var last = await ops3.ApproveAsync(posted.Id);
        var executed = (await last.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Equal("executed", executed.Status);
        Assert.NotNull(executed.ExecutedAt);
        Assert.Equal(["ops1", "ops2", "ops3"], executed.Approvals.Select(a => Who(a.MemberId, ops1, ops2, ops3)));

        await (await ops4.ApproveAsync(posted.Id)).IsProblemAsync(HttpStatusCode.Conflict, "not-open");
        Assert.Equal(3, (await ops4.GetAsync(posted.Id)).Approvals.Count);

        var trail = (await staff1.Client.GetFromJsonAsync<TrailPage>($"/api/audit?proposalId={posted.Id}&after=0", BoardApp.Json))!;
        Assert.Equal(["proposal.posted", "approval.added", "approval.added", "approval.added", "proposal.executed"], trail.Items.Select(e => e.Action));
        var verify = (await staff1.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!;
        Assert.True(verify.Valid, verify.Problem);
        Assert.Null(verify.FirstInvalidSeq);
    }

    [Fact]
    public async Task LoginWithWrongPassword_Is401_AndWrongPasswordsLockNobodyOut()
    {
        using var client = app.Anonymous();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.PostAsJsonAsync("/api/auth/login", new { email = "staff3@demo.board", password = "not-it" + i });
            await wrong.IsProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        }
        // No lockout: anyone could use it to keep any member out. Sign-in is rate-limited instead (RateLimitTests).
        var right = await client.PostAsJsonAsync("/api/auth/login", new { email = "staff3@demo.board", password = Board.Web.Demo.DemoSeeder.Password });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task LoginSetsAnHttpOnlyCookie_ThatAuthenticatesApiCalls()
    {
        var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new() };
        using var client = new HttpClient(handler) { BaseAddress = app.BaseAddress };
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email = "manager@demo.board", password = Board.Web.Demo.DemoSeeder.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("board.auth=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        var me = await client.GetFromJsonAsync<Board.Web.Auth.MemberDto>("/api/me", BoardApp.Json);
        Assert.Equal("manager@demo.board", me!.Email);
        Assert.Contains("manager", me.Roles);
    }

    [Fact]
    public async Task EditThatChangesTheWords_DismissesApprovals_AndAnUnchangedEditKeepsThem()
    {
        var board = await app.FirstBoardAsync();
        using var author = await app.SignInAsync("staff2");
        using var ops1 = await app.SignInAsync("ops1");
        using var other = await app.SignInAsync("staff1");
        var p = await author.PostAsync(board.Id, "Fix the door", "It squeaks.");
        (await ops1.ApproveAsync(p.Id)).EnsureSuccessStatusCode();

        var same = await author.Client.PutAsJsonAsync($"/api/proposals/{p.Id}", new { title = "Fix the door ", body = "It squeaks." });
        Assert.Single((await same.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!.Approvals);

        await (await other.Client.PutAsJsonAsync($"/api/proposals/{p.Id}", new { title = "Mine now", body = "" })).IsProblemAsync(HttpStatusCode.Forbidden, "not-author");
        var changed = await author.Client.PutAsJsonAsync($"/api/proposals/{p.Id}", new { title = "Fix the back door", body = "It squeaks." });
        var edited = (await changed.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Empty(edited.Approvals);
        Assert.Equal("Fix the back door", edited.Title);

        var trail = (await author.Client.GetFromJsonAsync<TrailPage>($"/api/audit?proposalId={p.Id}&action=proposal.edited", BoardApp.Json))!;
        Assert.Equal(["Fix the back door"], trail.Items.Select(e => e.Data.GetProperty("title").GetString()));
        Assert.Equal(1, trail.Items[0].Data.GetProperty("approvalsDismissed").GetArrayLength());

        await (await other.Client.PostAsync($"/api/proposals/{p.Id}/withdraw", null)).IsProblemAsync(HttpStatusCode.Forbidden, "not-author");
        Assert.Equal(HttpStatusCode.OK, (await author.Client.PostAsync($"/api/proposals/{p.Id}/withdraw", null)).StatusCode);
        await (await ops1.ApproveAsync(p.Id)).IsProblemAsync(HttpStatusCode.Conflict, "not-open");
        var comment = await other.Client.PostAsJsonAsync($"/api/proposals/{p.Id}/comments", new { body = "Pity — **it does squeak**." });
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        var withComment = await author.GetAsync(p.Id);
        Assert.Contains("<strong>it does squeak</strong>", withComment.Comments.Single().BodyHtml);
    }

    [Fact]
    public async Task AnApproverWhoLosesTheRole_StopsCounting_WhenTheNextApprovalArrives()
    {
        var board = await app.FirstBoardAsync();
        using var admin = await app.SignInAsync("admin");
        using var author = await app.SignInAsync("staff1");
        var created = await admin.Client.PostAsJsonAsync("/api/members", new { email = "temp-ops@test.board", displayName = "Temp ops", password = Board.Web.Demo.DemoSeeder.Password, roles = new[] { "operations" } });
        var temp = (await created.Content.ReadFromJsonAsync<Board.Web.Auth.MemberDto>(BoardApp.Json))!;
        using var tempOps = await app.SignInAsync("temp-ops@test.board");
        using var ops2 = await app.SignInAsync("ops2");
        using var ops3 = await app.SignInAsync("ops3");
        using var ops4 = await app.SignInAsync("ops4");

        var p = await author.PostAsync(board.Id, "Counted only while approvers still hold the role");
        (await tempOps.ApproveAsync(p.Id)).EnsureSuccessStatusCode();
        (await ops2.ApproveAsync(p.Id)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync($"/api/members/{temp.Id}/roles", new { roles = new[] { "staff" } })).StatusCode);

        var third = (await (await ops3.ApproveAsync(p.Id)).Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Equal("open", third.Status);
        Assert.Equal(2, third.ApprovalCount);
        Assert.False(third.Approvals.Single(a => a.MemberId == temp.Id).Counts);

        var fourth = (await (await ops4.ApproveAsync(p.Id)).Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
        Assert.Equal("executed", fourth.Status);
        // The role change ended the session the old roles were signed in with.
        await (await tempOps.ApproveAsync(Guid.NewGuid())).IsProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    private static string Who(Guid id, params Session[] sessions) =>
        sessions.First(s => s.Member.Id == id).Member.Email.Split('@')[0];
}
