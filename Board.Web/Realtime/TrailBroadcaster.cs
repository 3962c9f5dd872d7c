using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Board.Web.Telemetry;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Realtime;

/// <summary>
/// The one place changes are pushed. It tails the committed trail in seq order — woken at once by this
/// instance's commits, and polling for other instances' — so watchers get exactly what was committed,
/// in order, and never anything that was rolled back.
/// </summary>
public sealed class TrailBroadcaster(
    IServiceScopeFactory scopes, IHubContext<BoardHub, IBoardClient> hub, TrailSignal signal,
    MarkdownRenderer markdown, IConfiguration configuration, BoardMetrics metrics, ILogger<TrailBroadcaster> log) : BackgroundService
{
    private const int Batch = 200;
    private readonly TimeSpan _poll = TimeSpan.FromMilliseconds(configuration.GetValue("Realtime:PollMilliseconds", 1000));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long last;
        using (var scope = scopes.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            last = await db.Trail.MaxAsync(e => (long?)e.Seq, stoppingToken) ?? 0;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                last = await PushAfterAsync(last, stoppingToken);
                await signal.WaitAsync(_poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Broadcasting after seq {Seq} failed; retrying", last);
                await Task.Delay(_poll, stoppingToken);
            }
        }
    }

    private async Task<long> PushAfterAsync(long last, CancellationToken ct)
    {
        while (true)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var entries = await db.Trail.AsNoTracking().Where(e => e.Seq > last).OrderBy(e => e.Seq).Take(Batch).ToListAsync(ct);
            if (entries.Count == 0) return last;
            foreach (var dto in await TrailEndpoints.WithProposalsAsync(db, markdown, entries, ct))
            {
                if (dto.BoardId is { } boardId) await hub.Clients.Group(BoardHub.Group(boardId)).@event(dto);
                await hub.Clients.Group(BoardHub.TrailGroup).@event(dto);
                // The author hears that their proposal executed wherever they are; a client that also watches
                // the board gets the same seq twice and keeps one.
                if (dto.Action == TrailActions.ProposalExecuted && dto.Proposal?.Author.Id is { } authorId)
                    await hub.Clients.Group(BoardHub.MemberGroup(authorId)).@event(dto);
                metrics.CommitBroadcast();
                last = dto.Seq;
            }
            if (entries.Count < Batch) return last;
        }
    }
}
