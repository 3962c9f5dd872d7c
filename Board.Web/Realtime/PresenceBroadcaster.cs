using System.Collections.Concurrent;
using Board.Web.Proposals;
using Microsoft.AspNetCore.SignalR;

namespace Board.Web.Realtime;

/// <summary>
/// Tells a board's watchers who is there, at most once per <see cref="Interval"/> per board: arrivals and departures
/// within one interval go out as one <c>presence</c>, so thousands of members opening one board cost a message per
/// watcher per interval, not one per watcher per arrival (N²). The list names the first <see cref="Listed"/> members
/// by name and counts them all. With Redis, the list is the union over instances (see <see cref="IPresenceStore"/>).
/// </summary>
public sealed class PresenceBroadcaster(
    PresenceTracker tracker, IPresenceStore store, IHubContext<BoardHub, IBoardClient> hub, ILogger<PresenceBroadcaster> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public const int Listed = 100;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, byte> _changed = new();

    /// <summary>The board's list of members changed on this instance; its watchers hear of it with the next flush.</summary>
    public void Changed(Guid boardId) => _changed.TryAdd(boardId, 0);

    public async Task<PresenceDto> OnAsync(Guid boardId, CancellationToken ct)
    {
        var members = await store.ListAsync(boardId, tracker.MembersOn(boardId), ct);
        return new PresenceDto(boardId, [.. members.OrderBy(p => p.Name, StringComparer.CurrentCulture).ThenBy(p => p.Id).Take(Listed)], members.Count);
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
        foreach (var boardId in _changed.Keys)
        {
            _changed.TryRemove(boardId, out _);
            try
            {
                await store.PublishAsync(boardId, tracker.MembersOn(boardId), ct);
                await hub.Clients.Group(BoardHub.Group(boardId)).presence(await OnAsync(boardId, ct));
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
