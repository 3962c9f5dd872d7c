using System.Collections.Concurrent;
using System.Net.Http.Json;
using Board.Web.Boards;
using Board.Web.Realtime;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Realtime;

/// <summary>The app with the Redis backplane (no trail polling) and a head every second.</summary>
public sealed class FastHeadApp : RedisApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings) { ["Realtime:HeadSeconds"] = "1" };
}

/// <summary>
/// <c>commit</c> carries the board and the seq before it (the board's for board watchers, the trail's for trail
/// watchers), and <c>head</c> tells watchers the latest seq: together they reveal any commit a client missed.
/// </summary>
[Trait("Kind", "Api")]
public sealed class ConvergenceTests(FastHeadApp app) : IClassFixture<FastHeadApp>
{
    [Fact]
    public async Task Commit_CarriesTheBoardsPreviousSeq_ForBoardWatchers_AndTheTrailsForTrailWatchers()
    {
        var board = await app.FirstBoardAsync();
        using var admin = await app.SignInAsync("admin");
        var created = await admin.Client.PostAsJsonAsync("/api/boards",
            new { name = $"Other {Guid.NewGuid():N}"[..20], policy = new { approvalsRequired = 1, approverRole = "operations", expiresAfterDays = 0 } });
        var other = (await created.Content.ReadFromJsonAsync<BoardDto>(BoardApp.Json))!;

        using var manager = await app.SignInAsync("manager");
        await using var boardHub = await manager.ConnectAsync();
        await using var trailHub = await manager.ConnectAsync();
        var onBoard = new ConcurrentQueue<CommitDto>();
        var onTrail = new ConcurrentQueue<CommitDto>();
        boardHub.On<CommitDto>("commit", onBoard.Enqueue);
        trailHub.On<CommitDto>("commit", onTrail.Enqueue);
        await boardHub.InvokeAsync("Watch", board.Id);
        await trailHub.InvokeAsync("WatchTrail");
        var before = await LastOfBoardAsync(manager, board.Id);

        using var staff = await app.SignInAsync("staff1");
        var first = await staff.PostAsync(board.Id, "Before the other board");
        await staff.PostAsync(other.Id, "On the other board");
        var second = await staff.PostAsync(board.Id, "After the other board");

        var mine = await WaitForAsync(() => onBoard.Where(c => c.Proposal?.Id == first.Id || c.Proposal?.Id == second.Id).ToList(), 2);
        Assert.All(mine, c => Assert.Equal(board.Id, c.BoardId));
        Assert.Equal(before, mine[0].Prev);
        Assert.Equal(mine[0].Entries[^1].Seq, mine[1].Prev); // the other board's entry in between is not this board's
        Assert.True(mine[1].Entries[0].Seq > mine[1].Prev + 1);

        var all = await WaitForAsync(() => onTrail.Where(c => c.Entries[0].Seq >= mine[0].Entries[0].Seq).ToList(), 3);
        Assert.All(all, c => Assert.Equal(c.Entries[0].Seq - 1, c.Prev));
        Assert.Equal([board.Id, other.Id, board.Id], all.Select(c => c.BoardId!.Value));
    }

    [Fact]
    public async Task Head_TellsEveryWatcherTheLatestSeq_SoACommitNoMessageAnnouncedIsFound()
    {
        var board = await app.FirstBoardAsync();
        using var manager = await app.SignInAsync("manager");
        await using var hub = await manager.ConnectAsync();
        await using var trailHub = await manager.ConnectAsync();
        var heads = new ConcurrentQueue<HeadDto>();
        hub.On<HeadDto>("head", heads.Enqueue);
        trailHub.On<HeadDto>("head", heads.Enqueue);
        var commits = new ConcurrentQueue<CommitDto>();
        hub.On<CommitDto>("commit", commits.Enqueue);
        trailHub.On<CommitDto>("commit", commits.Enqueue);
        await hub.InvokeAsync("Watch", board.Id);
        await trailHub.InvokeAsync("WatchTrail");

        var lost = await app.PostUnpublishedAsync(board.Id, "Announced by no one");
        var seq = await LastOfBoardAsync(manager, board.Id);
        var events = (await manager.Client.GetFromJsonAsync<List<TrailEntryDto>>($"/api/boards/{board.Id}/events?after={seq - 1}", BoardApp.Json))!;
        Assert.Equal(lost, Assert.Single(events).ProposalId);

        await WaitForAsync(() => heads.Where(h => h.BoardId == board.Id && h.Seq == seq).ToList(), 1, seconds: 5);
        await WaitForAsync(() => heads.Where(h => h.BoardId is null && h.Seq >= seq).ToList(), 1, seconds: 5);
        Assert.DoesNotContain(commits, c => c.Entries.Any(e => e.ProposalId == lost)); // only head could have told these watchers
    }

    private static async Task<long> LastOfBoardAsync(Session session, Guid boardId)
    {
        var page = await session.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/audit?boardId={boardId}&limit=1");
        var items = page.GetProperty("items");
        return items.GetArrayLength() == 0 ? 0 : items[0].GetProperty("seq").GetInt64();
    }

    private static async Task<List<T>> WaitForAsync<T>(Func<List<T>> read, int count, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var list = read();
            if (list.Count >= count || DateTime.UtcNow > deadline) return list.Count >= count ? list : throw new TimeoutException($"{list.Count} of {count} within {seconds} s");
            await Task.Delay(50);
        }
    }
}
