using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Demo;
using Board.Web.Persistence;
using Board.Web.Trail;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Board.Tests.Realtime;

/// <summary>
/// Two Board processes on one PostgreSQL database, as operators run them: exactly-once execution and a gap-free,
/// valid trail rest on the database alone, whichever instance each request reaches.
/// </summary>
[Collection(BoardProcess.Collection)]
[Trait("Kind", "RealProcess")]
public sealed class TwoInstancesTests(ITestOutputHelper output)
{
    private const int Proposals = 2_000;
    private const int Quorum = 3;
    private const int ApproversPerProposal = 5;

    [Fact]
    public async Task TenThousandSimultaneousApprovals_SplitAcrossTwoInstances_ExecuteEveryProposalExactlyOnce()
    {
        await using var db = await ScratchPostgres.CreateAsync();
        await using var a = await BoardProcess.StartAsync(db.Settings);
        await using var b = await BoardProcess.StartAsync(db.Settings);
        var clock = Stopwatch.StartNew();

        var adminToken = await a.LoginAsync("admin@demo.board", DemoSeeder.Password);
        using var admin = a.Client(adminToken);
        var boardResponse = await admin.PostAsJsonAsync("/api/boards",
            new { name = "Scale-out", policy = new { approvalsRequired = Quorum, approverRole = "operations", expiresAfterDays = 0 } });
        Assert.Equal(HttpStatusCode.Created, boardResponse.StatusCode);
        var boardId = (await boardResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // Each approver signs in on both instances (one token each): every request below goes where the test sends it.
        var approvers = new (HttpClient OnA, HttpClient OnB)[ApproversPerProposal];
        for (var i = 0; i < approvers.Length; i++)
        {
            var email = $"scale-ops{i}@test.board";
            var created = await admin.PostAsJsonAsync("/api/members",
                new { email, displayName = $"Scale ops {i}", password = "Scale!pass1", roles = new[] { "operations" } });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            approvers[i] = (a.Client(await a.LoginAsync(email, "Scale!pass1")), b.Client(await b.LoginAsync(email, "Scale!pass1")));
        }

        // The proposals are posted through the domain in one commit (the approvals are what is under test).
        var ids = await db.PostProposalsAsync(boardId, "staff1@demo.board", Proposals);
        output.WriteLine($"{Proposals} proposals posted in {clock.Elapsed.TotalSeconds:0.0} s");

        // Per proposal, all five approvers press at the same instant, alternately through A and B; 8 proposals at a time.
        var results = new ConcurrentBag<(Guid Proposal, HttpStatusCode Status, string Body)>();
        var approving = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Proposals, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (j, ct) =>
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var presses = Enumerable.Range(0, ApproversPerProposal).Select(async k =>
            {
                await gate.Task;
                var client = (j + k) % 2 == 0 ? approvers[k].OnA : approvers[k].OnB;
                using var response = await client.PostAsync($"/api/proposals/{ids[j]}/approvals", null, ct);
                results.Add((ids[j], response.StatusCode, response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync(ct)));
            }).ToList();
            gate.SetResult();
            await Task.WhenAll(presses);
        });
        var seconds = approving.Elapsed.TotalSeconds;
        output.WriteLine($"{results.Count} approval requests in {seconds:0.0} s ({results.Count / seconds:0} /s); total {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(Proposals * ApproversPerProposal, results.Count);
        Assert.DoesNotContain(results, r => (int)r.Status >= 500);
        foreach (var group in results.GroupBy(r => r.Proposal))
        {
            Assert.Equal(Quorum, group.Count(r => r.Status == HttpStatusCode.OK));
            Assert.All(group.Where(r => r.Status != HttpStatusCode.OK), r =>
            {
                Assert.Equal(HttpStatusCode.Conflict, r.Status);
                Assert.Contains("\"not-open\"", r.Body);
            });
        }

        var entries = await db.EntriesAsync();
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Seq));
        var executed = entries.Where(e => e.Action == TrailActions.ProposalExecuted && e.ProposalId is { } id && ids.Contains(id))
            .GroupBy(e => e.ProposalId!.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Proposals, executed.Count);
        Assert.All(executed.Values, count => Assert.Equal(1, count));
        Assert.Equal(Proposals * Quorum, entries.Count(e => e.Action == TrailActions.ApprovalAdded && ids.Contains(e.ProposalId ?? Guid.Empty)));
        var verify = await db.VerifyAsync();
        Assert.True(verify.Valid, verify.Problem);
        Assert.Equal(entries.Count, verify.Count);

        foreach (var (onA, onB) in approvers)
        {
            onA.Dispose();
            onB.Dispose();
        }
    }
}
