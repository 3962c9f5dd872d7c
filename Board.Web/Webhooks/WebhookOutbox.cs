using System.Runtime.CompilerServices;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Webhooks;

/// <summary>
/// The transactional outbox, subscribed to every commit (one per unit of work): adds one delivery per active webhook
/// that wants each entry inside the commit's transaction — an entry and its deliveries commit together or not at
/// all — and wakes this instance's dispatcher once they are committed.
/// </summary>
public sealed class WebhookOutbox(WebhookSignal signal) : ICommitObserver
{
    // The commits that added deliveries, by their entries (one outbox serves every commit at once).
    private readonly ConditionalWeakTable<IReadOnlyList<AuditEntry>, object> _added = [];

    public async ValueTask CommittingAsync(BoardDb db, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        if (await EnqueueAsync(db, entries, ct) > 0) _added.AddOrUpdate(entries, _added);
    }

    public void Committed(IReadOnlyList<AuditEntry> entries, IReadOnlyList<Proposal> proposals)
    {
        if (_added.Remove(entries)) signal.Notify();
    }

    // Compiled once: every commit runs it under the write lock (a commit's entries are nearly always of one board).
    private static readonly CompiledQuery<Func<BoardDb, Guid, IAsyncEnumerable<Webhook>>> LiveOf = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid boardId) => db.Set<Webhook>().Where(w => w.BoardId == boardId && w.DeletedAt == null)));

    /// <summary>Adds the deliveries for <paramref name="entries"/> to be saved in the caller's transaction. Returns how many.</summary>
    public static async Task<int> EnqueueAsync(BoardDb db, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        var boardIds = entries.Where(e => e.BoardId is not null).Select(e => e.BoardId!.Value).Distinct().ToList();
        if (boardIds.Count == 0) return 0;
        // Tracked instances win over rows: a webhook deleted in this same change no longer matches.
        var live = new List<Webhook>();
        foreach (var boardId in boardIds)
            await foreach (var webhook in LiveOf.For(db)(db, boardId).WithCancellation(ct)) live.Add(webhook);
        var webhooks = live.Where(w => w.DeletedAt == null && w.IsActive).ToLookup(w => w.BoardId);
        var added = 0;
        foreach (var entry in entries)
        {
            if (entry.BoardId is not { } boardId) continue;
            foreach (var webhook in webhooks[boardId].Where(w => w.Wants(entry.Action)))
            {
                db.Deliveries.Add(WebhookDelivery.For(webhook, entry.Seq, entry.Action, entry.At));
                added++;
            }
        }
        return added;
    }
}
