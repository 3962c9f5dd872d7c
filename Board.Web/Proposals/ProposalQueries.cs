using Board.Domain.Proposals;
using Board.Web.Auth;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Proposals;

public static class ProposalQueries
{
    // Compiled once: the writes run these under the write lock, where EF Core's per-execution work on a LINQ
    // expression (the cache key, the parameters) would be paid by every writer queued behind.
    // With whether it has comments and photos at all, in the same statement: most proposals have neither, and then
    // neither is read in a statement of its own.
    private static readonly CompiledQuery<Func<BoardDb, Guid, CancellationToken, Task<Loaded?>>> WithApprovals = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id, CancellationToken ct) => db.Proposals.Include(p => p.Approvals).AsSingleQuery().Where(p => p.Id == id)
            .Select(p => new Loaded { Proposal = p, HasComments = p.Comments.Any(), HasAttachments = p.Attachments.Any() }).FirstOrDefault()));

    private sealed class Loaded
    {
        public required Proposal Proposal { get; init; }
        public bool HasComments { get; init; }
        public bool HasAttachments { get; init; }
    }

    private static readonly CompiledQuery<Func<BoardDb, Guid, IAsyncEnumerable<Comment>>> CommentsOf = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id) => db.Set<Comment>().Where(c => c.ProposalId == id)));

    private static readonly CompiledQuery<Func<BoardDb, Guid, IAsyncEnumerable<Attachment>>> AttachmentsOf = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id) => db.Set<Attachment>().Where(a => a.ProposalId == id)));

    private static readonly CompiledQuery<Func<BoardDb, Guid, CancellationToken, Task<int>>> VersionOf = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id, CancellationToken ct) => db.Proposals.Where(p => p.Id == id).Select(p => p.Version).FirstOrDefault()));

    /// <summary>Loads a proposal with its approvals, comments and photos inside the write transaction (begun here if need be).</summary>
    public static async Task<Proposal?> FindForUpdateAsync(this BoardDb db, Guid id, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        return await LoadAsync(db, id, ct);
    }

    /// <summary>
    /// Loads a proposal for a change as <see cref="FindForUpdateAsync"/> does, with most of the reading done before the
    /// write lock is taken: the proposal, its approvals, comments and photos are read first, outside it, then under
    /// the lock one statement reads the proposal's version. Every change to a proposal — to its row, its approvals,
    /// comments or photos — raises that version in the same transaction, so an equal version proves that what was read
    /// is what the database holds now; otherwise it is read again under the lock. Writers queued behind wait for one
    /// read instead of three. Null when there is no such proposal (proposals are never deleted).
    /// </summary>
    public static async Task<Proposal?> FindForChangeAsync(this BoardDb db, Guid id, CancellationToken ct)
    {
        if (await LoadAsync(db, id, ct) is not { } early) return null;
        await db.BeginWriteAsync(ct);
        if (await VersionOf.For(db)(db, id, ct) == early.Version) return early;
        // Changed meanwhile: forget what was read (nothing is pending before the change) and read it under the lock.
        db.ChangeTracker.Clear();
        return await LoadAsync(db, id, ct);
    }

    /// <summary>One row of <see cref="VersionWithEligible"/>: the proposal's version (no member), or one member who counts (version 0).</summary>
    private sealed class VersionOrMember
    {
        public int Version { get; init; }
        public Guid? Member { get; init; }
    }

    // The version check and which of the approvers are active members holding the role, in one statement (UNION ALL):
    // the approval path's two reads under the write lock as one. (The join is CurrentMember.EligibleAsync's, written
    // inline: a compiled query cannot call a method that builds a query.)
    private static readonly CompiledQuery<Func<BoardDb, Guid, Guid[], string, IAsyncEnumerable<VersionOrMember>>> VersionWithEligible = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id, Guid[] members, string role) => db.Proposals.Where(p => p.Id == id)
            .Select(p => new VersionOrMember { Version = p.Version, Member = null })
            .Concat(
                from ur in db.UserRoles
                join r in db.Roles on ur.RoleId equals r.Id
                join u in db.Users on ur.UserId equals u.Id
                where r.Name == role && u.IsActive && members.Contains(ur.UserId)
                select new VersionOrMember { Version = 0, Member = ur.UserId })));

    /// <summary>
    /// Load → decide → commit for an approval: as <see cref="ChangeProposalAsync(BoardDb, Guid, Action{Proposal}, CancellationToken)"/>,
    /// and <paramref name="decide"/> is also told which of the proposal's approvers and <paramref name="approverId"/>
    /// are, under the write lock, active members holding its approver role — read in the version check's statement.
    /// </summary>
    public static async Task<Proposal?> ChangeWithApproversAsync(
        this BoardDb db, Guid id, Guid approverId, Action<Proposal, IReadOnlySet<Guid>> decide, CancellationToken ct)
    {
        if (await LoadAsync(db, id, ct) is not { } proposal) return null;
        // Closed for good (a proposal never returns to Open): the domain refuses the approval on what was read, and the
        // writers queued for the lock do not wait behind a refusal — the late approvals of a quorum reached a moment ago.
        // Should it accept one all the same, the approval changed the version and is decided again under the lock.
        if (proposal.IsClosed) decide(proposal, NoOne);
        await db.BeginWriteAsync(ct);
        int? version = null;
        HashSet<Guid> eligible = [];
        await foreach (var row in VersionWithEligible.For(db)(db, id, Asked(proposal, approverId), proposal.ApproverRole).WithCancellation(ct))
        {
            if (row.Member is { } member) eligible.Add(member);
            else version = row.Version;
        }
        if (version != proposal.Version)
        {
            // Changed meanwhile: read it again under the lock, and its approvers with it.
            db.ChangeTracker.Clear();
            if (await LoadAsync(db, id, ct) is not { } current) return null;
            proposal = current;
            eligible = await CurrentMember.EligibleAsync(db, Asked(proposal, approverId), proposal.ApproverRole, ct);
        }
        decide(proposal, eligible);
        await db.CommitAsync(ct);
        return proposal;
    }

    private static readonly IReadOnlySet<Guid> NoOne = new HashSet<Guid>();

    private static Guid[] Asked(Proposal proposal, Guid approverId) => [.. proposal.Approvals.Select(a => a.MemberId), approverId];

    private static async Task<Proposal?> LoadAsync(BoardDb db, Guid id, CancellationToken ct)
    {
        // Proposal and approvals in one statement (a join: a handful of approvals), comments and photos, when it has
        // any, in one more each (a join with several collections would repeat every comment once per approval × photo);
        // tracked, they join the proposal.
        if (await WithApprovals.For(db)(db, id, ct) is not { } loaded) return null;
        if (loaded.HasComments) await foreach (var _ in CommentsOf.For(db)(db, id).WithCancellation(ct)) { }
        if (loaded.HasAttachments) await foreach (var _ in AttachmentsOf.For(db)(db, id).WithCancellation(ct)) { }
        return loaded.Proposal;
    }

    /// <summary>Load → decide → commit for one proposal; null when there is none. A refusal the domain throws leaves nothing committed.</summary>
    public static async Task<Proposal?> ChangeProposalAsync(this BoardDb db, Guid id, Action<Proposal> decide, CancellationToken ct)
    {
        if (await db.FindForChangeAsync(id, ct) is not { } proposal) return null;
        decide(proposal);
        await db.CommitAsync(ct);
        return proposal;
    }

    public static Task<Proposal?> FindForReadAsync(this BoardDb db, Guid id, CancellationToken ct) =>
        db.Proposals.AsNoTracking().Include(p => p.Approvals).Include(p => p.Comments).Include(p => p.Attachments).AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);

    /// <summary>The views of the proposals among <paramref name="ids"/> that exist, by id: what trail entries carry.</summary>
    public static async Task<Dictionary<Guid, ProposalDto>> ViewsByIdAsync(
        this BoardDb db, IReadOnlyCollection<Guid> ids, MarkdownRenderer markdown, CancellationToken ct) =>
        ids.Count == 0 ? [] : await db.Proposals.AsNoTracking().Where(p => ids.Contains(p.Id))
            .Include(p => p.Approvals).Include(p => p.Comments).Include(p => p.Attachments).AsSplitQuery()
            .ToDictionaryAsync(p => p.Id, p => ProposalDto.From(p, markdown), ct);

    /// <summary>List rows for <paramref name="proposals"/> (loaded with their approvals and photos), with their comment counts.</summary>
    public static async Task<List<ProposalSummaryDto>> SummariesAsync(this BoardDb db, IReadOnlyCollection<Proposal> proposals, CancellationToken ct)
    {
        var ids = proposals.Select(p => p.Id).ToList();
        if (ids.Count == 0) return [];
        var commentCounts = await db.Set<Comment>().Where(c => ids.Contains(c.ProposalId))
            .GroupBy(c => c.ProposalId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return [.. proposals.Select(p => ProposalSummaryDto.From(p, commentCounts.GetValueOrDefault(p.Id)))];
    }
}
