using Board.Web.Hosting;
using Board.Web.Persistence;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Realtime;

/// <summary>
/// Every <c>Realtime:HeadSeconds</c>, tells this instance's watchers of each board that board's latest seq (and trail
/// watchers the trail's), read from the database: a commit whose message was lost (a backplane outage, an instance
/// killed between commit and publish) and that no later commit of the board reveals is caught up within one interval.
/// Each instance tells its own connections directly, so this works while the backplane is down.
/// </summary>
public sealed class HeadBroadcaster(
    IServiceScopeFactory scopes, PresenceTracker tracker, IHubContext<BoardHub, IBoardClient> hub, IOptions<RealtimeSettings> settings,
    ILogger<HeadBroadcaster> log) : BackgroundService
{
    private static readonly CompiledQuery<Func<BoardDb, Guid, CancellationToken, Task<long>>> BoardHead = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid boardId, CancellationToken ct) =>
            db.Trail.AsNoTracking().Where(e => e.BoardId == boardId).OrderByDescending(e => e.Seq).Select(e => e.Seq).FirstOrDefault()));

    private static readonly CompiledQuery<Func<BoardDb, CancellationToken, Task<long>>> TrailHead = new(() => EF.CompileAsyncQuery(
        (BoardDb db, CancellationToken ct) => db.Trail.AsNoTracking().OrderByDescending(e => e.Seq).Select(e => e.Seq).FirstOrDefault()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.Value.HeadSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TellAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogWarning(ex, "Telling watchers the head failed; trying again in {Seconds} s", settings.Value.HeadSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: a cheap read per watched board (the last entry by the board's index), one message per watcher.</summary>
    public async Task TellAsync(CancellationToken ct)
    {
        var byBoard = tracker.WatchersByBoard();
        var trail = tracker.TrailWatchers();
        if (byBoard.Count == 0 && trail.Count == 0) return;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
        foreach (var (boardId, connections) in byBoard)
        {
            var seq = await BoardHead.For(db)(db, boardId, ct);
            await hub.Clients.Clients(connections).head(new HeadDto(boardId, seq));
        }
        if (trail.Count > 0)
            await hub.Clients.Clients(trail).head(new HeadDto(null, await TrailHead.For(db)(db, ct)));
    }
}
