using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Board.Web.Boards;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Trail;

/// <summary>The <c>trail</c> group: every committed entry, whichever board it belongs to or none.</summary>
[Trait("Kind", "Api")]
public sealed class TrailHubTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task WatchTrail_ReceivesEntriesFromEveryBoard_AndMemberCreated_InSeqOrder()
    {
        using var staff = await app.SignInAsync("staff1");
        var boards = (await staff.Client.GetFromJsonAsync<List<BoardDto>>("/api/boards", BoardApp.Json))!;
        Assert.True(boards.Count >= 2, "the demo data has several boards");
        await using var hub = await staff.ConnectAsync();
        var received = new ConcurrentQueue<TrailEntryDto>();
        hub.OnEntry(received.Enqueue);
        await hub.InvokeAsync("WatchTrail");

        var first = await staff.PostAsync(boards[0].Id, "Trail watcher, first board");
        var second = await staff.PostAsync(boards[1].Id, "Trail watcher, second board");
        using var admin = await app.SignInAsync("admin");
        var email = $"trail-{Guid.NewGuid():N}@demo.board";
        var created = await admin.Client.PostAsJsonAsync("/api/members", new { email, displayName = "Trail Newcomer", password = "Board!demo1", roles = new[] { "staff" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var seen = await WaitForAsync(received, e => e.Action == "member.created" && e.Data.GetProperty("displayName").GetString() == "Trail Newcomer");
        Assert.Contains(seen, e => e.ProposalId == first.Id && e.BoardId == boards[0].Id && e.Action == "proposal.posted");
        Assert.Contains(seen, e => e.ProposalId == second.Id && e.BoardId == boards[1].Id && e.Action == "proposal.posted");
        var member = Assert.Single(seen, e => e.Action == "member.created" && e.Data.GetProperty("displayName").GetString() == "Trail Newcomer");
        Assert.Null(member.BoardId);
        Assert.Equal(seen.Select(e => e.Seq).Order(), seen.Select(e => e.Seq));
        Assert.Equal(seen.Count, seen.Select(e => e.Seq).Distinct().Count());
    }

    [Fact]
    public async Task UnwatchTrail_StopsEntries_ThatReachNoOtherGroupOfTheConnection()
    {
        var board = await app.FirstBoardAsync();
        using var ops = await app.SignInAsync("ops4");
        await using var hub = await ops.ConnectAsync();
        var received = new ConcurrentQueue<TrailEntryDto>();
        hub.OnEntry(received.Enqueue);
        await hub.InvokeAsync("WatchTrail");
        using var staff = await app.SignInAsync("staff3");
        var watched = await staff.PostAsync(board.Id, "Seen on the trail");
        await WaitForAsync(received, e => e.ProposalId == watched.Id);

        await hub.InvokeAsync("UnwatchTrail");
        var unwatched = await staff.PostAsync(board.Id, "Posted after unwatching");
        await Task.Delay(700);
        Assert.DoesNotContain(received, e => e.ProposalId == unwatched.Id);
    }

    private static async Task<List<TrailEntryDto>> WaitForAsync(ConcurrentQueue<TrailEntryDto> received, Func<TrailEntryDto, bool> last)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (received.Any(last)) return [.. received];
            await Task.Delay(20);
        }
        Assert.Fail($"Not received within 5 s; got {string.Join(", ", received.Select(e => $"{e.Seq} {e.Action}"))}");
        return [];
    }
}
