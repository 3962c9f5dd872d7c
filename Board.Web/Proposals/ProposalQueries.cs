using Board.Domain.Proposals;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Proposals;

public static class ProposalQueries
{
    /// <summary>Loads a proposal with its approvals and comments inside the write transaction already begun.</summary>
    public static async Task<Proposal?> FindForUpdateAsync(this BoardDb db, Guid id, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        // Proposal and approvals in one statement (a join: a handful of approvals), comments in a second
        // (a join with both collections would repeat every comment once per approval).
        var proposal = await db.Proposals.Include(p => p.Approvals).AsSingleQuery().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (proposal is not null) await db.Entry(proposal).Collection(p => p.Comments).LoadAsync(ct);
        return proposal;
    }

    public static Task<Proposal?> FindForReadAsync(this BoardDb db, Guid id, CancellationToken ct) =>
        db.Proposals.AsNoTracking().Include(p => p.Approvals).Include(p => p.Comments).AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);
}
