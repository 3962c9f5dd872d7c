using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Hosting;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Board.Web.Telemetry;
using Board.Web.Trail;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Realtime;

/// <summary>
/// The one place changes are pushed, each committed transaction once per group as a <c>commit</c>, and only
/// after it committed (so never anything rolled back). This instance's commits arrive from <see cref="TrailSignal"/>
/// with the aggregates the request changed: their view is the one the request returns, built once, with no read.
/// Commits of other instances reach this instance's watchers through the Redis backplane when
/// <c>SignalR:Redis</c> is set (the committing instance publishes once); without it, each instance polls the
/// trail for the entries it did not write and reads those from the database.
/// </summary>
public sealed class TrailBroadcaster(
    IServiceScopeFactory scopes, IHubContext<BoardHub, IBoardClient> hub, TrailSignal signal, ProposalViews views,
    MarkdownRenderer markdown, TimeProvider clock, IConfiguration configuration, IOptions<RealtimeSettings> settings, BoardMetrics metrics,
    ILogger<TrailBroadcaster> log) : BackgroundService
{
    private const int Batch = 500;
    private readonly TimeSpan _poll = TimeSpan.FromMilliseconds(settings.Value.PollMilliseconds);
    private readonly bool _backplane = !string.IsNullOrWhiteSpace(configuration[RealtimeSetup.RedisKey]);

    // An entry this instance committed can be in the trail a moment before it is handed over here; the poller leaves
    // entries this young alone, so that it does not send them a second time.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    /// <summary>Seqs sent from this instance's own commits that the poller has not passed yet.</summary>
    private readonly HashSet<long> _sentHere = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _backplane ? SendLocalAsync(stoppingToken) : Task.WhenAll(SendLocalAsync(stoppingToken), PollOthersAsync(stoppingToken));

    private async Task SendLocalAsync(CancellationToken ct)
    {
        var reader = signal.Commits;
        var ready = new List<LocalCommit>();
        try
        {
            while (await reader.WaitToReadAsync(ct))
            {
                while (reader.TryRead(out var commit)) ready.Add(commit);
                // Writers hand over right after their commit, so two close commits may arrive swapped: restore seq order.
                ready.Sort((a, b) => a.Entries[0].Seq.CompareTo(b.Entries[0].Seq));
                foreach (var commit in ready)
                {
                    try
                    {
                        await SendLocalAsync(commit, ct);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        log.LogError(ex, "Broadcasting the commit of seq {Seq} failed; watchers catch up on their next commit", commit.Entries[0].Seq);
                    }
                }
                ready.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task SendLocalAsync(LocalCommit commit, CancellationToken ct)
    {
        if (!_backplane)
            lock (_sentHere) foreach (var e in commit.Entries) _sentHere.Add(e.Seq);
        foreach (var part in Split(commit.Entries, (first, e) => e.ProposalId == first.ProposalId && e.BoardId == first.BoardId))
        {
            ProposalDto? proposal = null;
            if (part[0].ProposalId is { } id)
                proposal = commit.Proposals.FirstOrDefault(p => p.Id == id) is { } changed
                    ? views.Of(changed)
                    : (await LoadAsync([id], ct)).GetValueOrDefault(id);
            await SendAsync(part, proposal, ct, commit.BoardPrevs.TryGetValue(part[0].Seq, out var prev) ? prev : null);
        }
    }

    /// <summary>Without a backplane: the trail's entries this instance did not write, read back and sent to its own watchers.</summary>
    private async Task PollOthersAsync(CancellationToken ct)
    {
        long last = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (last == 0)
                {
                    using var scope = scopes.CreateScope();
                    last = await scope.ServiceProvider.GetRequiredService<BoardDb>().Trail.MaxAsync(e => (long?)e.Seq, ct) ?? 0;
                }
                else
                    last = await PushOthersAfterAsync(last, ct);
                await Task.Delay(_poll, clock, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Reading other instances' commits after seq {Seq} failed; retrying", last);
                await Task.Delay(_poll, clock, ct);
            }
        }
    }

    private async Task<long> PushOthersAfterAsync(long last, CancellationToken ct)
    {
        while (true)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            var heads = await db.Trail.AsNoTracking().Where(e => e.Seq > last).OrderBy(e => e.Seq).Take(Batch)
                .Select(e => new { e.Seq, e.At }).ToListAsync(ct);
            var young = clock.GetUtcNow() - Settle;
            var others = new List<long>();
            var upTo = last;
            lock (_sentHere)
            {
                foreach (var head in heads)
                {
                    if (_sentHere.Remove(head.Seq)) { upTo = head.Seq; continue; }
                    if (head.At > young) break;
                    others.Add(head.Seq);
                    upTo = head.Seq;
                }
            }
            if (others.Count > 0)
            {
                var entries = await db.Trail.AsNoTracking().Where(e => others.Contains(e.Seq)).OrderBy(e => e.Seq).ToListAsync(ct);
                var proposals = await LoadAsync(db, [.. entries.Where(e => e.ProposalId is not null).Select(e => e.ProposalId!.Value).Distinct()], ct);
                foreach (var group in Split(entries, (first, e) => e.ProposalId is { } id && first.ProposalId == id && first.ActorId == e.ActorId && first.At == e.At))
                {
                    var proposal = group[0].ProposalId is { } id ? proposals.GetValueOrDefault(id) : null;
                    await SendAsync(group, proposal, ct);
                }
            }
            lock (_sentHere) _sentHere.RemoveWhere(seq => seq <= upTo);
            if (upTo == last || heads.Count < Batch) return upTo;
            last = upTo;
        }
    }

    private async Task<Dictionary<Guid, ProposalDto>> LoadAsync(List<Guid> ids, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        return await LoadAsync(scope.ServiceProvider.GetRequiredService<BoardDb>(), ids, ct);
    }

    private Task<Dictionary<Guid, ProposalDto>> LoadAsync(BoardDb db, List<Guid> ids, CancellationToken ct) =>
        db.ViewsByIdAsync(ids, markdown, ct);

    /// <summary><paramref name="knownPrev"/>: the board's previous seq when the commit knew it; read from the database otherwise.</summary>
    private async Task SendAsync(List<AuditEntry> part, ProposalDto? proposal, CancellationToken ct, long? knownPrev = null)
    {
        var entries = part.Select(e => TrailEntryDto.From(e)).ToList();
        var boardId = part[0].BoardId;
        // Seq is gap-free over the whole trail, so the trail's previous entry is known; the board's, when this
        // instance's commit did not know it (TrailSignal), is read.
        var trailCommit = new CommitDto(boardId, part[0].Seq - 1, entries, proposal);
        var commit = trailCommit;
        if (boardId is { } board)
        {
            commit = trailCommit with { Prev = knownPrev ?? await BoardPrevAsync(board, part[0].Seq, ct) };
            await hub.Clients.Group(BoardHub.Group(board)).commit(commit);
        }
        await hub.Clients.Group(BoardHub.TrailGroup).commit(trailCommit);
        // The author hears that their proposal executed wherever they are; a client that also watches
        // the board gets the same commit twice and keeps one.
        if (part.Any(e => e.Action == TrailActions.ProposalExecuted) && proposal?.Author.Id is { } authorId)
            await hub.Clients.Group(BoardHub.MemberGroup(authorId)).commit(commit);
        metrics.CommitBroadcast();
    }

    private static readonly CompiledQuery<Func<BoardDb, Guid, long, CancellationToken, Task<long>>> BoardPrev = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid boardId, long before, CancellationToken ct) =>
            db.Trail.AsNoTracking().Where(e => e.BoardId == boardId && e.Seq < before).OrderByDescending(e => e.Seq).Select(e => e.Seq).FirstOrDefault()));

    /// <summary>
    /// The seq of the board's entry before <paramref name="before"/>, read from the database: writers are serialized
    /// by it, so every earlier entry is committed, whichever instance wrote it. Unreadable, the trail's previous seq
    /// stands in: never lower than the board's, it can cost a client a needless catch-up, never hide a gap.
    /// </summary>
    private async Task<long> BoardPrevAsync(Guid boardId, long before, CancellationToken ct)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<BoardDb>();
            return await BoardPrev.For(db)(db, boardId, before, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "The board's entry before seq {Seq} could not be read; its watchers check the trail", before);
            return before - 1;
        }
    }

    /// <summary>
    /// Splits entries in seq order into commits. This instance's own commits are exact (one per proposal of the
    /// transaction); entries read back from the trail are split where proposal, actor or instant change, which is
    /// where a transaction ends (the deciding approval and the execution it causes share all three).
    /// </summary>
    internal static IEnumerable<List<AuditEntry>> Split(IReadOnlyList<AuditEntry> entries, Func<AuditEntry, AuditEntry, bool> sameCommit)
    {
        var group = new List<AuditEntry>();
        foreach (var e in entries)
        {
            if (group.Count > 0 && !sameCommit(group[0], e))
            {
                yield return group;
                group = [];
            }
            group.Add(e);
        }
        if (group.Count > 0) yield return group;
    }
}
