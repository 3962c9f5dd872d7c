using System.Security.Claims;
using Board.Web.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace Board.Tests.Realtime;

/// <summary>
/// The watchdog's index of hub connections, by member and stamp: a stale stamp closes exactly the connections opened
/// with it, and connections that come and go concurrently leave nothing behind.
/// </summary>
[Trait("Kind", "Domain")]
public sealed class HubSessionsTests
{
    private sealed class Connection(string id) : HubCallerContext
    {
        public int Aborted;
        public override string ConnectionId => id;
        public override string? UserIdentifier => null;
        public override ClaimsPrincipal? User => null;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;
        public override void Abort() => Interlocked.Increment(ref Aborted);
    }

    [Fact]
    public void CloseUnless_ClosesOnlyTheConnectionsOpenedWithAnotherStamp()
    {
        var sessions = new HubSessions();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var current = Enumerable.Range(0, 3).Select(i => new Connection($"a{i}")).ToList();
        var old = new Connection("a-old");
        var others = Enumerable.Range(0, 2).Select(i => new Connection($"b{i}")).ToList();
        foreach (var c in current) sessions.Add(c, a, "s1");
        sessions.Add(old, a, "s0");
        foreach (var c in others) sessions.Add(c, b, "s2");
        Assert.Equal(6, sessions.Count);

        Assert.Equal(1, sessions.CloseUnless(a, "s1"));
        Assert.Equal(1, old.Aborted);
        Assert.All(current, c => Assert.Equal(0, c.Aborted));
        Assert.Equal(5, sessions.Count);
        Assert.Equal(0, sessions.CloseUnless(a, "s1"));

        // A member gone or deactivated (no current stamp): every connection of theirs.
        Assert.Equal(2, sessions.CloseUnless(b, null));
        Assert.All(others, c => Assert.Equal(1, c.Aborted));
        Assert.Equal(3, sessions.Count);
        Assert.Equal(0, sessions.CloseUnless(Guid.NewGuid(), null));
    }

    [Fact]
    public async Task ConnectionsComingAndGoingConcurrently_LeaveNothingBehind()
    {
        var sessions = new HubSessions();
        var members = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        await Parallel.ForAsync(0, 8, async (w, ct) =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var c = new Connection($"{w}:{i}");
                var member = members[(w + i) % members.Length];
                sessions.Add(c, member, "s");
                if (i % 7 == 0) sessions.CloseUnless(member, "other");
                sessions.Remove(c.ConnectionId);
                if (i % 500 == 0) await Task.Yield();
            }
        });
        Assert.Equal(0, sessions.Count);
        Assert.All(members, m => Assert.Equal(0, sessions.CloseUnless(m, null)));
    }
}
