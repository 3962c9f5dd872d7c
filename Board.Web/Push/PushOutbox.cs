using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Board.Web.Push;

/// <summary>
/// The push outbox, subscribed to every commit: for each entry that concerns a member's phone — a proposal posted (or
/// edited so that its approvals were dismissed) now waits for its approvers; the author's proposal executed or is
/// done — adds one notice per device of each member concerned, inside the commit's transaction.
/// </summary>
public sealed class PushOutbox(PushSignal signal, IOptions<PushOptions> options) : ICommitObserver
{
    // The commits that added notices, by their entries (one outbox serves every commit at once).
    private readonly ConditionalWeakTable<IReadOnlyList<AuditEntry>, object> _added = [];

    public async ValueTask CommittingAsync(BoardDb db, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        if (await EnqueueAsync(db, entries, options.Value, ct) > 0) _added.AddOrUpdate(entries, _added);
    }

    public void Committed(IReadOnlyList<AuditEntry> entries, IReadOnlyList<Board.Domain.Proposals.Proposal> proposals)
    {
        if (_added.Remove(entries)) signal.Notify();
    }

    private sealed record Concern(AuditEntry Entry, PushKind Kind);

    public static async Task<int> EnqueueAsync(BoardDb db, IReadOnlyList<AuditEntry> entries, PushOptions options, CancellationToken ct)
    {
        var concerns = entries.Select(e => Classify(e) is { } kind && e.ProposalId is not null ? new Concern(e, kind) : null).OfType<Concern>().ToList();
        if (concerns.Count == 0) return 0;
        var proposals = await ProposalsAsync(db, [.. concerns.Select(c => c.Entry.ProposalId!.Value).Distinct()], ct);

        var recipients = new List<(Concern Concern, Guid MemberId)>();
        var holders = new Dictionary<string, List<Guid>>();
        foreach (var concern in concerns)
        {
            if (!proposals.TryGetValue(concern.Entry.ProposalId!.Value, out var proposal)) continue;
            if (concern.Kind == PushKind.Waiting)
            {
                if (!holders.TryGetValue(proposal.ApproverRole, out var approvers))
                    holders[proposal.ApproverRole] = approvers = await HoldersAsync(db, proposal.ApproverRole, ct);
                recipients.AddRange(approvers.Where(id => id != proposal.AuthorId).Select(id => (concern, id)));
            }
            else recipients.Add((concern, proposal.AuthorId));
        }
        if (recipients.Count == 0) return 0;

        // A deactivated member's phone is told nothing more.
        var memberIds = recipients.Select(r => r.MemberId).Distinct().ToList();
        var found = new List<(Guid Id, Guid MemberId)>();
        await foreach (var device in DevicesOf.For(db)(db, [.. memberIds]).WithCancellation(ct)) found.Add((device.Id, device.MemberId));
        var devices = found.ToLookup(d => d.MemberId, d => d.Id);
        var added = 0;
        foreach (var (concern, memberId) in recipients)
        {
            foreach (var deviceId in devices[memberId])
            {
                var delay = concern.Kind == PushKind.Waiting ? TimeSpan.FromSeconds(options.BundleSeconds) : TimeSpan.Zero;
                db.Set<PushNotice>().Add(PushNotice.For(deviceId, concern.Kind, concern.Entry.ProposalId!.Value, concern.Entry.Seq, concern.Entry.At, delay));
                added++;
            }
        }
        return added;
    }

    private static PushKind? Classify(AuditEntry entry) => entry.Action switch
    {
        TrailActions.ProposalPosted => PushKind.Waiting,
        // Dismissed approvals have to be given again: the proposal waits for its approvers once more.
        TrailActions.ProposalEdited when JsonNode.Parse(entry.Data)?["approvalsDismissed"] is JsonArray { Count: > 0 } => PushKind.Waiting,
        TrailActions.ProposalExecuted => PushKind.Executed,
        TrailActions.ProposalCompleted => PushKind.Done,
        _ => null,
    };

    private sealed record ProposalFacts(Guid AuthorId, string ApproverRole);

    private sealed record DeviceOf(Guid Id, Guid MemberId);

    // Compiled once: every execution runs it under the write lock.
    private static readonly CompiledQuery<Func<BoardDb, Guid[], IAsyncEnumerable<DeviceOf>>> DevicesOf = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid[] memberIds) => db.Set<PushDevice>().AsNoTracking()
            .Where(d => memberIds.Contains(d.MemberId) && db.Users.Any(u => u.Id == d.MemberId && u.IsActive))
            .Select(d => new DeviceOf(d.Id, d.MemberId))));

    /// <summary>Proposals added in this very commit are not in the database yet: the tracked ones are read first.</summary>
    private static async Task<Dictionary<Guid, ProposalFacts>> ProposalsAsync(BoardDb db, List<Guid> ids, CancellationToken ct)
    {
        var found = db.ChangeTracker.Entries<Proposal>().Where(e => ids.Contains(e.Entity.Id))
            .ToDictionary(e => e.Entity.Id, e => new ProposalFacts(e.Entity.AuthorId, e.Entity.ApproverRole));
        var missing = ids.Where(id => !found.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            foreach (var p in await db.Proposals.AsNoTracking().Where(p => missing.Contains(p.Id)).Select(p => new { p.Id, p.AuthorId, p.ApproverRole }).ToListAsync(ct))
                found[p.Id] = new ProposalFacts(p.AuthorId, p.ApproverRole);
        }
        return found;
    }

    /// <summary>Active members holding <paramref name="role"/>.</summary>
    private static Task<List<Guid>> HoldersAsync(BoardDb db, string role, CancellationToken ct) =>
        (from ur in db.UserRoles
         join r in db.Roles on ur.RoleId equals r.Id
         join u in db.Users on ur.UserId equals u.Id
         where r.Name == role && u.IsActive
         select ur.UserId).Distinct().ToListAsync(ct);
}
