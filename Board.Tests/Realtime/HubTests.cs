using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Board.Web.Realtime;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Realtime;

[Trait("Kind", "Api")]
public sealed class HubTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task Watcher_ReceivesPostedApprovalsAndExecuted_InSeqOrder_WithinASecond()
    {
        var board = await app.FirstBoardAsync();
        using var manager = await app.SignInAsync("manager");
        await using var hub = await manager.ConnectAsync();
        var received = new ConcurrentQueue<(TrailEntryDto Entry, long Ticks)>();
        var presence = new TaskCompletionSource<PresenceDto>();
        var commits = new ConcurrentQueue<CommitDto>();
        hub.On<CommitDto>("commit", commits.Enqueue);
        hub.OnEntry(e => received.Enqueue((e, Stopwatch.GetTimestamp())));
        hub.On<PresenceDto>("presence", p => presence.TrySetResult(p));
        await hub.InvokeAsync("Watch", board.Id);
        var seen = await presence.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains(seen.Members, m => m.Id == manager.Member.Id);

        using var staff = await app.SignInAsync("staff1");
        var sent = new List<long>();
        var proposal = await staff.PostAsync(board.Id, "Watched proposal");
        sent.Add(Stopwatch.GetTimestamp());
        foreach (var who in new[] { "ops1", "ops2", "ops3" })
        {
            using var ops = await app.SignInAsync(who);
            (await ops.ApproveAsync(proposal.Id)).EnsureSuccessStatusCode();
            sent.Add(Stopwatch.GetTimestamp());
        }

        var mine = await WaitForAsync(() => received.Where(r => r.Entry.ProposalId == proposal.Id).ToList(), 5);
        Assert.Equal(["proposal.posted", "approval.added", "approval.added", "approval.added", "proposal.executed"], mine.Select(r => r.Entry.Action));
        Assert.Equal(mine.Select(r => r.Entry.Seq).Order(), mine.Select(r => r.Entry.Seq));
        Assert.Equal("executed", mine[^1].Entry.Proposal!.Status);
        // One message per commit: the deciding approval and the execution arrive together, never "3 of 3, still open".
        var mineCommits = commits.Where(c => c.Entries[0].ProposalId == proposal.Id).ToList();
        Assert.Equal([["proposal.posted"], ["approval.added"], ["approval.added"], ["approval.added", "proposal.executed"]],
            mineCommits.Select(c => c.Entries.Select(e => e.Action).ToArray()));
        Assert.Equal(["open", "open", "open", "executed"], mineCommits.Select(c => c.Proposal!.Status));
        Assert.Equal([0, 1, 2, 3], mineCommits.Select(c => c.Proposal!.ApprovalCount));
        Assert.All(mine.Zip(sent.Append(sent[^1])), pair => Assert.True(
            Stopwatch.GetElapsedTime(pair.Second, pair.First.Ticks) < TimeSpan.FromSeconds(1),
            $"{pair.First.Entry.Action} arrived {Stopwatch.GetElapsedTime(pair.Second, pair.First.Ticks).TotalMilliseconds} ms after its commit"));

        var replay = (await manager.Client.GetFromJsonAsync<List<TrailEntryDto>>($"/api/boards/{board.Id}/events?after={mine[0].Entry.Seq - 1}", BoardApp.Json))!;
        Assert.Equal(mine.Select(r => r.Entry.Hash), replay.Where(e => e.ProposalId == proposal.Id).Select(e => e.Hash));
    }

    [Fact]
    public async Task Watch_ForAnUnknownBoard_IsRefused_AndAnonymousCannotConnect()
    {
        using var staff = await app.SignInAsync("staff2");
        await using var hub = await staff.ConnectAsync();
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Watch", Guid.NewGuid()));

        var anonymous = new HubConnectionBuilder().WithUrl(new Uri(app.BaseAddress, "/hubs/board")).Build();
        await Assert.ThrowsAnyAsync<Exception>(() => anonymous.StartAsync());
    }

    [Fact]
    public async Task Unwatch_StopsEvents_ForThatBoard()
    {
        var board = await app.FirstBoardAsync();
        using var ops = await app.SignInAsync("ops4");
        await using var hub = await ops.ConnectAsync();
        var received = new ConcurrentQueue<TrailEntryDto>();
        hub.OnEntry(received.Enqueue);
        await hub.InvokeAsync("Watch", board.Id);
        await hub.InvokeAsync("Unwatch", board.Id);

        using var staff = await app.SignInAsync("staff3");
        var proposal = await staff.PostAsync(board.Id, "Nobody watching");
        await Task.Delay(700);
        Assert.DoesNotContain(received, e => e.ProposalId == proposal.Id);
    }

    private static async Task<List<T>> WaitForAsync<T>(Func<List<T>> read, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            var items = read();
            if (items.Count >= count) return items;
            await Task.Delay(20);
        }
        return read();
    }
}
