using Board.Web.Auth;
using Board.Web.Realtime;

namespace Board.Tests.Realtime;

/// <summary>
/// The tracker keeps each board's members in name order as they come and go, so that an arrival is told the first
/// names and the count without sorting the whole board: those must be exactly what sorting the whole board gives.
/// </summary>
[Trait("Kind", "Domain")]
public sealed class PresenceTrackerTests
{
    private static List<PersonDto> SortedAll(PresenceTracker tracker, Guid boardId) =>
        [.. PresenceTracker.InNameOrder(tracker.MembersOn(boardId))];

    [Fact]
    public void Listed_IsTheFirstNamesOfTheWholeBoardInOrder_AndCountsEveryMemberOnce_AsMembersComeAndGo()
    {
        var tracker = new PresenceTracker();
        var board = Guid.NewGuid();
        var other = Guid.NewGuid();
        var random = new Random(7);
        var members = Enumerable.Range(0, 3000).Select(i => (Id: Guid.NewGuid(), Name: $"Member {random.Next(1000):D4}")).ToList();
        for (var i = 0; i < members.Count; i++)
        {
            tracker.Connect($"c{i}", members[i].Id, members[i].Name);
            Assert.True(tracker.Watch($"c{i}", board));
            if (i % 3 == 0) tracker.Watch($"c{i}", other);
        }
        // A second tab of the same member changes no list.
        tracker.Connect("tab2", members[5].Id, members[5].Name);
        Assert.False(tracker.Watch("tab2", board));
        Assert.Equal(3001, tracker.ConnectionsOn(board));

        var (first, count) = tracker.Listed(board, 100);
        Assert.Equal(3000, count);
        Assert.Equal(SortedAll(tracker, board).Take(100), first);
        Assert.Equal(1000, tracker.Listed(other, 100).Count);

        // Departures, the first names among them: the list closes up, the second tab keeps its member listed.
        var leaving = SortedAll(tracker, board).Take(40).Select(p => p.Id!.Value).Where(id => id != members[5].Id).ToHashSet();
        for (var i = 0; i < members.Count; i++)
            if (leaving.Contains(members[i].Id) || i % 7 == 0)
                Assert.Contains(board, tracker.Disconnect($"c{i}"));
        (first, count) = tracker.Listed(board, 100);
        var rest = SortedAll(tracker, board);
        Assert.Equal(rest.Count, count);
        Assert.Equal(rest.Take(100), first);
        Assert.DoesNotContain(first, p => leaving.Contains(p.Id!.Value));
        Assert.Contains(rest, p => p.Id == members[5].Id);
        Assert.Equal(members.Count - members.Where((m, i) => leaving.Contains(m.Id) || i % 7 == 0).Count(), count);

        // The member's first tab still watches: the second leaving changes nothing; the first leaving does.
        Assert.Equal(count + 1, tracker.ConnectionsOn(board));
        Assert.False(tracker.Unwatch("tab2", board));
        Assert.Equal(count, tracker.ConnectionsOn(board));
        Assert.Contains(board, tracker.Disconnect("c5"));
        Assert.Equal(count - 1, tracker.ConnectionsOn(board));
        Assert.DoesNotContain(tracker.MembersOn(board), p => p.Id == members[5].Id);
    }

    [Fact]
    public void Listed_OfABoardNobodyWatches_IsEmpty_AndTheBoardIsForgottenWhenTheLastLeaves()
    {
        var tracker = new PresenceTracker();
        var board = Guid.NewGuid();
        Assert.Equal(0, tracker.Listed(board, 100).Count);
        tracker.Connect("a", Guid.NewGuid(), "Ann");
        tracker.Watch("a", board);
        Assert.Equal(["Ann"], tracker.Listed(board, 100).First.Select(p => p.Name));
        Assert.True(tracker.Unwatch("a", board));
        Assert.Empty(tracker.Listed(board, 100).First);
        Assert.Empty(tracker.Boards());
    }
}

/// <summary>A board is told at most every 250 ms, and a big one less often: presence costs at most so many messages a second per board.</summary>
[Trait("Kind", "Domain")]
public sealed class PresenceIntervalTests
{
    [Theory]
    [InlineData(1, 250)]
    [InlineData(1000, 250)]
    [InlineData(2000, 500)]
    [InlineData(5000, 1250)]
    [InlineData(20_000, 5000)]
    public void IntervalFor_KeepsABoardsPresenceToAtMostFanOutPerSecondMessages(int watchers, int milliseconds)
    {
        var interval = PresenceBroadcaster.IntervalFor(watchers);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), interval);
        Assert.True(watchers / interval.TotalSeconds <= PresenceBroadcaster.FanOutPerSecond);
    }
}
