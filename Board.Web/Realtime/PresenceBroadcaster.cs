using System.Collections.Concurrent;
using System.Diagnostics;
using Board.Web.Proposals;
using Microsoft.AspNetCore.SignalR;

namespace Board.Web.Realtime;

/// <summary>
/// Tells a board's watchers who is there, at most once per <see cref="Interval"/> per board: arrivals and departures
/// within one interval go out as one <c>presence</c>, so thousands of members opening one board cost a message per
/// watcher per interval, not one per watcher per arrival. That alone still grows as N² while a board fills (N
/// watchers told once per interval for as long as N arrivals take), so a big board is told less often: at most
/// <see cref="FanOutPerSecond"/> presence messages a second in all (<see cref="IntervalFor"/>), and the work presence
/// costs a board grows with its watchers, not with their square. The list names the first <see cref="Listed"/>
/// members by name and counts them all. With Redis, the list is the union over instances (see <see cref="IPresenceStore"/>).
/// </summary>
public sealed class PresenceBroadcaster(
    PresenceTracker tracker, IPresenceStore store, IHubContext<BoardHub, IBoardClient> hub, ILogger<PresenceBroadcaster> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public const int Listed = 100;

    /// <summary>
    /// Presence messages a second one board may cost, over all its watchers: a board of up to 1,000 is told every
    /// <see cref="Interval"/>, one of 5,000 every 1.25 s, one of 20,000 every 5 s. Measured by Board.Bench (6).
    /// </summary>
    public const int FanOutPerSecond = 4000;

    /// <summary>How long after telling <paramref name="watchers"/> watchers their board may be told again.</summary>
    public static TimeSpan IntervalFor(int watchers) =>
        TimeSpan.FromSeconds(Math.Max(Interval.TotalSeconds, (double)watchers / FanOutPerSecond));
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, byte> _changed = new();
    private readonly ConcurrentDictionary<Guid, (PresenceDto List, long At)> _union = new();
    /// <summary>When a big board may be told again (<see cref="IntervalFor"/>); boards not here may be told at the next flush.</summary>
    private readonly ConcurrentDictionary<Guid, long> _due = new();

    /// <summary>The board's list of members changed on this instance; its watchers hear of it with the next flush.</summary>
    public void Changed(Guid boardId) => _changed.TryAdd(boardId, 0);

    /// <summary>
    /// The list an arriving watcher is given at once. On one instance it is current and costs a walk of the first
    /// <see cref="Listed"/> names (<see cref="PresenceTracker.Listed"/>). With Redis it is the union over instances, read from
    /// Redis: that read is O(watchers), so arrivals share the last one for up to <see cref="Interval"/> instead of each
    /// making their own (N arrivals would read N² entries); the flush that their arrival causes reads it fresh.
    /// </summary>
    public async Task<PresenceDto> OnAsync(Guid boardId, CancellationToken ct)
    {
        if (store.Shared && _union.TryGetValue(boardId, out var last) && Stopwatch.GetElapsedTime(last.At) < Interval) return last.List;
        return await FreshAsync(boardId, ct);
    }

    private async Task<PresenceDto> FreshAsync(Guid boardId, CancellationToken ct)
    {
        if (!store.Shared)
        {
            var (first, count) = tracker.Listed(boardId, Listed);
            return new PresenceDto(boardId, first, count);
        }
        var members = await store.ListAsync(boardId, tracker.MembersOn(boardId), ct);
        var list = new PresenceDto(boardId, [.. PresenceTracker.InNameOrder(members).Take(Listed)], members.Count);
        if (members.Count > 0) _union[boardId] = (list, Stopwatch.GetTimestamp());
        else _union.TryRemove(boardId, out _);
        return list;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var nextHeartbeat = DateTime.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (DateTime.UtcNow >= nextHeartbeat)
                    {
                        nextHeartbeat = DateTime.UtcNow + Heartbeat;
                        foreach (var boardId in await store.KeepAliveAsync(tracker.Boards(), stoppingToken)) Changed(boardId);
                    }
                    await FlushAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogWarning(ex, "Presence could not be updated; trying again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var boardId in _changed.Keys)
        {
            if (_due.TryGetValue(boardId, out var due) && now < due) continue; // still changed: told once it is due
            _changed.TryRemove(boardId, out _);
            try
            {
                if (store.Shared) await store.PublishAsync(boardId, tracker.MembersOn(boardId), ct);
                var list = await FreshAsync(boardId, ct);
                await hub.Clients.Group(BoardHub.Group(boardId)).presence(list);
                // Told: the board's next message waits in proportion to how many have just been told (every instance's
                // watchers hear it through the backplane, so the union's count stands for them; this instance's extra tabs count too).
                var wait = IntervalFor(Math.Max(list.Count, tracker.ConnectionsOn(boardId)));
                if (wait > Interval) _due[boardId] = now + (long)(wait.TotalSeconds * Stopwatch.Frequency);
                else _due.TryRemove(boardId, out _);
            }
            catch
            {
                Changed(boardId); // told with the next flush
                throw;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await store.LeaveAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Leaving presence failed; this instance's watchers expire instead");
        }
    }
}
