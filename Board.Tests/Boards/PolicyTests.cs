using System.Net;
using System.Net.Http.Json;
using Board.Web.Boards;
using Board.Web.Proposals;
using Board.Web.Trail;

namespace Board.Tests.Boards;

[Trait("Kind", "Api")]
public sealed class PolicyTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task QuorumOfTwo_ExecutesAtTheSecond_AndRaisingItToFour_AppliesOnlyToProposalsPostedAfter()
    {
        using var admin = await app.SignInAsync("admin");
        using var staff = await app.SignInAsync("staff1");
        var ops = new[] { await app.SignInAsync("ops1"), await app.SignInAsync("ops2"), await app.SignInAsync("ops3"), await app.SignInAsync("ops4") };
        var board = await admin.NewBoardAsync(approvalsRequired: 2);

        var first = await staff.PostAsync(board.Id, "Posted under a quorum of two");
        var before = await staff.PostAsync(board.Id, "Also posted before the change");
        Assert.Equal("open", (await ApproveAsync(ops[0], first.Id)).Status);
        Assert.Equal("executed", (await ApproveAsync(ops[1], first.Id)).Status);

        var raised = await admin.Client.PutAsJsonAsync($"/api/boards/{board.Id}/policy", new { approvalsRequired = 4, approverRole = "operations", expiresAfterDays = 14 });
        Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        Assert.Equal(4, (await raised.Content.ReadFromJsonAsync<BoardDto>(BoardApp.Json))!.Policy.ApprovalsRequired);

        var after = await staff.PostAsync(board.Id, "Posted under a quorum of four");
        Assert.Equal(4, after.ApprovalsRequired);
        Assert.Equal(2, (await staff.GetAsync(before.Id)).ApprovalsRequired);

        Assert.Equal("open", (await ApproveAsync(ops[0], before.Id)).Status);
        Assert.Equal("executed", (await ApproveAsync(ops[1], before.Id)).Status);

        for (var i = 0; i < 3; i++) Assert.Equal("open", (await ApproveAsync(ops[i], after.Id)).Status);
        var executed = await ApproveAsync(ops[3], after.Id);
        Assert.Equal("executed", executed.Status);
        Assert.Equal(4, executed.ApprovalCount);

        var changes = (await staff.Client.GetFromJsonAsync<TrailPage>($"/api/audit?boardId={board.Id}&action=board.policy-changed", BoardApp.Json))!;
        var change = Assert.Single(changes.Items);
        Assert.Equal(2, change.Data.GetProperty("from").GetProperty("approvalsRequired").GetInt32());
        Assert.Equal(4, change.Data.GetProperty("to").GetProperty("approvalsRequired").GetInt32());
        foreach (var s in ops) s.Dispose();
    }

    [Fact]
    public async Task Policy_OutOfItsLimits_Is400WithEachField_AndChangesNothing()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(approvalsRequired: 3);
        var problem = await (await admin.Client.PutAsJsonAsync($"/api/boards/{board.Id}/policy", new { approvalsRequired = 26, approverRole = "boss", expiresAfterDays = 14 }))
            .IsProblemAsync(HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("approvalsRequired", out _) || errors.TryGetProperty("approverRole", out _), problem.ToString());
        Assert.Equal(3, (await admin.Client.GetFromJsonAsync<BoardDto>($"/api/boards/{board.Id}", BoardApp.Json))!.Policy.ApprovalsRequired);
        await (await admin.Client.PutAsJsonAsync($"/api/boards/{Guid.NewGuid()}/policy", new { approvalsRequired = 2, approverRole = "operations", expiresAfterDays = 14 }))
            .IsProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Rename_ChangesTheName_AndIsAnEntry_AndTheSameNameChangesNothing()
    {
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync(name: "Store 12");
        var renamed = await admin.Client.PutAsJsonAsync($"/api/boards/{board.Id}", new { name = "  Store 12 — Busan  " });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Store 12 — Busan", (await renamed.Content.ReadFromJsonAsync<BoardDto>(BoardApp.Json))!.Name);
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync($"/api/boards/{board.Id}", new { name = "Store 12 — Busan" })).StatusCode);

        var entries = (await admin.Client.GetFromJsonAsync<TrailPage>($"/api/audit?boardId={board.Id}&action=board.renamed", BoardApp.Json))!;
        var entry = Assert.Single(entries.Items);
        Assert.Equal("Store 12", entry.Data.GetProperty("from").GetString());
        Assert.Equal("Store 12 — Busan", entry.Data.GetProperty("to").GetString());
        await (await admin.Client.PutAsJsonAsync($"/api/boards/{board.Id}", new { name = "" })).IsProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    private static async Task<ProposalDto> ApproveAsync(Session ops, Guid proposalId)
    {
        var response = await ops.ApproveAsync(proposalId);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ProposalDto>(BoardApp.Json))!;
    }
}
