using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Realtime;

/// <summary>
/// Two instances of the app on one database file, as in a scale-out: exactly-once execution and a
/// gap-free chain rest on the database, so they hold with approvals split across instances.
/// </summary>
[Trait("Kind", "Api")]
public abstract class ScaleOutTests<TApp>(TApp first) : IClassFixture<TApp> where TApp : BoardApp
{
    [Fact]
    public async Task ApprovalsSplitAcrossTwoInstances_ExecuteOnce_AndWatchersOfEitherSeeIt()
    {
        await using var second = first.SecondInstance();
        await ((IAsyncLifetime)second).InitializeAsync();

        var board = await first.FirstBoardAsync();
        using var author = await first.SignInAsync("staff1");
        using var watcher = await second.SignInAsync("manager");
        await using var hub = await watcher.ConnectAsync();
        var seen = new ConcurrentQueue<TrailEntryDto>();
        hub.OnEntry(seen.Enqueue);
        await hub.InvokeAsync("Watch", board.Id);

        var approvers = new List<Session>();
        foreach (var (who, i) in new[] { "ops1", "ops2", "ops3", "ops4" }.Select((w, i) => (w, i)))
            approvers.Add(await (i % 2 == 0 ? first : second).SignInAsync(who));

        for (var round = 0; round < 5; round++)
        {
            var proposal = await author.PostAsync(board.Id, $"Scale-out round {round}");
            var gate = new TaskCompletionSource();
            var presses = approvers.Select(async a => { await gate.Task; return (await a.ApproveAsync(proposal.Id)).StatusCode; }).ToList();
            gate.SetResult();
            var codes = await Task.WhenAll(presses).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(3, codes.Count(c => c == HttpStatusCode.OK));
            Assert.Equal(1, codes.Count(c => c == HttpStatusCode.Conflict));

            var entries = (await author.Client.GetFromJsonAsync<TrailPage>($"/api/audit?proposalId={proposal.Id}&after=0", BoardApp.Json))!.Items;
            Assert.Single(entries, e => e.Action == "proposal.executed");
            Assert.Equal(3, entries.Count(e => e.Action == "approval.added"));

            // The instance that did not commit finds the entry by polling and still pushes it.
            for (var i = 0; i < 40 && !seen.Any(e => e.ProposalId == proposal.Id && e.Action == "proposal.executed"); i++) await Task.Delay(100);
            Assert.Single(seen, e => e.ProposalId == proposal.Id && e.Action == "proposal.executed");
        }

        var verify = (await watcher.Client.GetFromJsonAsync<VerifyResult>("/api/audit/verify", BoardApp.Json))!;
        Assert.True(verify.Valid, verify.Problem);
        foreach (var a in approvers) a.Dispose();
    }
}

public sealed class ScaleOutTestsSqlite(BoardApp first) : ScaleOutTests<BoardApp>(first);

public sealed class ScaleOutTestsPostgres(PostgresBoardApp first) : ScaleOutTests<PostgresBoardApp>(first);
