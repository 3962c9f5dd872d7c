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
        return await db.Proposals.Include(p => p.Approvals).Include(p => p.Comments).AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);
    }

    public static Task<Proposal?> FindForReadAsync(this BoardDb db, Guid id, CancellationToken ct) =>
        db.Proposals.AsNoTracking().Include(p => p.Approvals).Include(p => p.Comments).AsSplitQuery()
            .FirstOrDefaultAsync(p => p.Id == id, ct);
}
