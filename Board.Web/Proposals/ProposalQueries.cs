using Board.Domain.Proposals;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Proposals;

public static class ProposalQueries
{
    // Compiled once: the writes run these under the write lock, where EF Core's per-execution work on a LINQ
    // expression (the cache key, the parameters) would be paid by every writer queued behind.
    private static readonly CompiledQuery<Func<BoardDb, Guid, CancellationToken, Task<Proposal?>>> WithApprovals = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id, CancellationToken ct) => db.Proposals.Include(p => p.Approvals).AsSingleQuery().FirstOrDefault(p => p.Id == id)));

    private static readonly CompiledQuery<Func<BoardDb, Guid, IAsyncEnumerable<Comment>>> CommentsOf = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id) => db.Set<Comment>().Where(c => c.ProposalId == id)));

    private static readonly CompiledQuery<Func<BoardDb, Guid, IAsyncEnumerable<Attachment>>> AttachmentsOf = new(() => EF.CompileAsyncQuery(
        (BoardDb db, Guid id) => db.Set<Attachment>().Where(a => a.ProposalId == id)));

    /// <summary>Loads a proposal with its approvals, comments and photos inside the write transaction already begun.</summary>
    public static async Task<Proposal?> FindForUpdateAsync(this BoardDb db, Guid id, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        // Proposal and approvals in one statement (a join: a handful of approvals), comments in a second
        // (a join with both collections would repeat every comment once per approval); tracked, they join the proposal.
        var proposal = await WithApprovals.For(db)(db, id, ct);
        if (proposal is null) return null;
        await foreach (var _ in CommentsOf.For(db)(db, id).WithCancellation(ct)) { }
        await foreach (var _ in AttachmentsOf.For(db)(db, id).WithCancellation(ct)) { }
        return proposal;
    }

    /// <summary>Load → decide → commit for one proposal (<see cref="Changes"/>); null when there is none.</summary>
    public static Task<Proposal?> ChangeProposalAsync(this BoardDb db, Guid id, Func<Proposal, Task> decide, CancellationToken ct) =>
        db.ChangeAsync((d, c) => d.FindForUpdateAsync(id, c), decide, ct);

    public static Task<Proposal?> ChangeProposalAsync(this BoardDb db, Guid id, Action<Proposal> decide, CancellationToken ct) =>
        db.ChangeAsync((d, c) => d.FindForUpdateAsync(id, c), decide, ct);

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
