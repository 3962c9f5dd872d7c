using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Board.Web.Realtime;
using Microsoft.AspNetCore.SignalR.Client;

namespace Board.Tests.Realtime;

[Trait("Kind", "Api")]
public sealed class PresenceTests(BoardApp app) : IClassFixture<BoardApp>
{
    [Fact]
    public async Task ManyDifferentMembersArriving_AreToldInAtMostOnePresencePer250Ms_NotOneEach()
    {
        const int arriving = 40;
        using var admin = await app.SignInAsync("admin");
        var board = await admin.NewBoardAsync();
        using var observer = await app.SignInAsync("manager");
        await using var observerHub = await observer.ConnectAsync();
        var lists = new ConcurrentQueue<PresenceDto>();
        observerHub.On<PresenceDto>("presence", p => { if (p.BoardId == board.Id) lists.Enqueue(p); });
        await observerHub.InvokeAsync("Watch", board.Id);

        var sessions = new List<Session>();
        for (var i = 0; i < arriving; i++)
        {
            var email = $"arrival-{i}-{Guid.NewGuid():N}@demo.board";
            var created = await admin.Client.PostAsJsonAsync("/api/members", new { email, displayName = $"Arrival {i:D2}", password = "Board!demo1", roles = new[] { "staff" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            sessions.Add(await app.SignInAsync(email, "Board!demo1"));
        }
        var hubs = new List<HubConnection>();
        try
        {
            foreach (var s in sessions) hubs.Add(await s.ConnectAsync());
            await Task.Delay(600);
            lists.Clear();
            var joining = Stopwatch.StartNew();
            await Task.WhenAll(hubs.Select(h => h.InvokeAsync("Watch", board.Id)));
            var everyone = arriving + 1;
            for (var i = 0; i < 100 && !lists.Any(p => p.Count == everyone); i++) await Task.Delay(50);
            var elapsed = joining.Elapsed;

            var last = Assert.Single(lists, p => p.Count == everyone);
            Assert.Equal(everyone, last.Members.Count);
            var allowed = (int)Math.Ceiling(elapsed / PresenceBroadcaster.Interval) + 1;
            Assert.True(lists.Count <= allowed,
                $"{lists.Count} presence messages for {arriving} arrivals in {elapsed.TotalMilliseconds:F0} ms (at most {allowed}: one per {PresenceBroadcaster.Interval.TotalMilliseconds} ms)");
            Assert.True(lists.Count < arriving / 2, $"{lists.Count} presence messages for {arriving} arrivals: not coalesced");
        }
        finally
        {
            foreach (var h in hubs) await h.DisposeAsync();
            foreach (var s in sessions) s.Dispose();
        }
    }
}
