using System.Net;
using System.Net.Http.Json;
using Board.Web.Boards;
using Board.Web.Proposals;
using Board.Web.Trail;

namespace Board.Tests.Proposals;

/// <summary>Real parallel requests against the real app: the database, not luck, keeps execution exactly-once.</summary>
[Trait("Kind", "Api")]
public abstract class ConcurrencyTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : BoardApp
{
    private const int Approvers = 10;
    private const int Proposals = 8;

    [Fact]
    public async Task SimultaneousApprovals_OnManyProposals_AcceptExactlyTheQuorum_AndExecuteOnce()
    {
        var board = await app.FirstBoardAsync();
        var approvers = await OperationsMembersAsync("burst");
        using var author = await app.SignInAsync("staff1");
        var proposals = new List<ProposalDto>();
        for (var i = 0; i < Proposals; i++) proposals.Add(await author.PostAsync(board.Id, $"Burst proposal {i}"));
        var headBefore = (await author.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!.HeadSeq;

        var gate = new TaskCompletionSource();
        var presses = proposals.SelectMany(p => approvers.Select(async a =>
        {
            await gate.Task;
            var response = await a.ApproveAsync(p.Id);
            return (Proposal: p.Id, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(presses).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.DoesNotContain(results, r => (int)r.StatusCode >= 500);
        foreach (var group in results.GroupBy(r => r.Proposal))
        {
            Assert.Equal(3, group.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.All(group.Where(r => r.StatusCode != HttpStatusCode.OK), r =>
            {
                Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
                Assert.Contains("\"not-open\"", r.Body);
            });
            var final = await author.GetAsync(group.Key);
            Assert.Equal("executed", final.Status);
            Assert.Equal(3, final.Approvals.Count);
        }

        var trail = await EntriesAfterAsync(author, headBefore);
        Assert.Equal(Enumerable.Range(1, trail.Count).Select(i => headBefore + i), trail.Select(e => e.Seq));
        foreach (var p in proposals)
        {
            Assert.Single(trail, e => e.ProposalId == p.Id && e.Action == "proposal.executed");
            Assert.Equal(3, trail.Count(e => e.ProposalId == p.Id && e.Action == "approval.added"));
        }
        var verify = (await author.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!;
        Assert.True(verify.Valid, verify.Problem);
    }

    [Fact]
    public async Task SimultaneousApprovals_BelowTheQuorum_AreNeverLost()
    {
        using var admin = await app.SignInAsync("admin");
        var created = await admin.Client.PostAsJsonAsync("/api/boards", new { name = "Quorum of 25", policy = new { approvalsRequired = 25, approverRole = "operations", expiresAfterDays = 14 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var board = (await created.Content.ReadFromJsonAsync<BoardDto>(BoardApp.Json))!;
        var approvers = await OperationsMembersAsync("many");
        using var author = await app.SignInAsync("staff2");
        var proposal = await author.PostAsync(board.Id);

        var gate = new TaskCompletionSource();
        var presses = approvers.Select(async a => { await gate.Task; return (await a.ApproveAsync(proposal.Id)).StatusCode; }).ToList();
        gate.SetResult();
        var codes = await Task.WhenAll(presses).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(codes, c => Assert.Equal(HttpStatusCode.OK, c));
        var final = await author.GetAsync(proposal.Id);
        Assert.Equal(Approvers, final.Approvals.Count);
        Assert.Equal(Approvers, final.ApprovalCount);
        Assert.Equal("open", final.Status);
    }

    private async Task<List<Session>> OperationsMembersAsync(string prefix)
    {
        using var admin = await app.SignInAsync("admin");
        var sessions = new List<Session>();
        for (var i = 0; i < Approvers; i++)
        {
            var email = $"{prefix}{i}@test.board";
            var response = await admin.Client.PostAsJsonAsync("/api/members", new { email, displayName = $"{prefix} {i}", password = Board.Web.Demo.DemoSeeder.Password, roles = new[] { "operations" } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            sessions.Add(await app.SignInAsync(email));
        }
        return sessions;
    }

    private static async Task<List<TrailEntryDto>> EntriesAfterAsync(Session session, long after)
    {
        var all = new List<TrailEntryDto>();
        while (true)
        {
            var page = (await session.Client.GetFromJsonAsync<TrailPage>($"/api/audit?after={after}&limit=500", BoardApp.Json))!;
            all.AddRange(page.Items);
            if (page.Next is not { } next) return all;
            after = next;
        }
    }
}

public sealed class ConcurrencyTestsSqlite(BoardApp app) : ConcurrencyTests<BoardApp>(app);

public sealed class ConcurrencyTestsPostgres(PostgresBoardApp app) : ConcurrencyTests<PostgresBoardApp>(app);
