using Board.Domain.Trail;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Realtime;

/// <summary>
/// The one place changes are pushed. It tails the committed trail in seq order — woken at once by this
/// instance's commits, and polling for other instances' — so watchers get exactly what was committed,
/// in order, and never anything that was rolled back. Each transaction goes out as one <c>commit</c> per group.
/// </summary>
public sealed class TrailBroadcaster(
    IServiceScopeFactory scopes, IHubContext<BoardHub, IBoardClient> hub, TrailSignal signal,
    MarkdownRenderer markdown, IConfiguration configuration, ILogger<TrailBroadcaster> log) : BackgroundService
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
            var ids = entries.Where(e => e.ProposalId is not null).Select(e => e.ProposalId!.Value).Distinct().ToList();
            var proposals = ids.Count == 0 ? [] : await db.Proposals.AsNoTracking().Where(p => ids.Contains(p.Id))
                .Include(p => p.Approvals).Include(p => p.Comments).AsSplitQuery()
                .ToDictionaryAsync(p => p.Id, p => ProposalDto.From(p, markdown), ct);
            foreach (var group in Transactions(entries))
            {
                var proposal = group[0].ProposalId is { } id ? proposals.GetValueOrDefault(id) : null;
                await SendAsync(new CommitDto([.. group.Select(e => TrailEntryDto.From(e))], proposal));
                last = group[^1].Seq;
            }
            if (entries.Count < Batch) return last;
        }
    }

    private async Task SendAsync(CommitDto commit)
    {
        if (commit.Entries[0].BoardId is { } boardId) await hub.Clients.Group(BoardHub.Group(boardId)).commit(commit);
        await hub.Clients.Group(BoardHub.TrailGroup).commit(commit);
        // The author hears that their proposal executed wherever they are; a client that also watches
        // the board gets the same commit twice and keeps one.
        if (commit.Entries.Any(e => e.Action == TrailActions.ProposalExecuted) && commit.Proposal?.Author.Id is { } authorId)
            await hub.Clients.Group(BoardHub.MemberGroup(authorId)).commit(commit);
    }

    /// <summary>
    /// Splits entries read back from the trail into the transactions that wrote them: one transaction's facts share
    /// their proposal, actor and instant (the deciding approval and the execution it causes do), consecutive in seq.
    /// </summary>
    internal static IEnumerable<List<AuditEntry>> Transactions(IReadOnlyList<AuditEntry> entries)
    {
        var group = new List<AuditEntry>();
        foreach (var e in entries)
        {
            if (group.Count > 0 && !(e.ProposalId is { } id && group[0].ProposalId == id && group[0].ActorId == e.ActorId && group[0].At == e.At))
            {
                yield return group;
                group = [];
            }
            group.Add(e);
        }
        if (group.Count > 0) yield return group;
    }
}
