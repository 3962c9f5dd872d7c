using Board.Domain.Proposals;
using Board.Web.Auth;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Me;

/// <summary>What concerns the signed-in member across every board: what waits for their approval, and what they posted.</summary>
public static class MeEndpoints
{
    /// <summary>The most a list holds; beyond it the total still says how many there are.</summary>
    public const int MaxItems = 200;

    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me").WithTags("Me").RequireAuthorization();
        me.MapGet("/waiting", Waiting).WithName("listWaitingForMe").WithSummary("List the open proposals waiting for the signed-in member's approval");
        me.MapGet("/proposals", Mine).WithName("listMyProposals").WithSummary("List the signed-in member's own proposals");
        return app;
    }

    /// <summary>
    /// Every open proposal, on any board, that the caller may approve now and has not: oldest first. The
    /// query narrows; <see cref="Proposal.MayApprove"/> decides, so this list and a refusal never disagree.
    /// </summary>
    static async Task<Ok<ProposalPage>> Waiting(CurrentMember me, BoardDb db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var member = me.Member;
        var roles = member.Roles.ToList();
        var candidates = await db.Proposals.AsNoTracking()
            .Where(p => p.Status == ProposalStatus.Open && roles.Contains(p.ApproverRole) && p.AuthorId != member.Id
                && !p.Approvals.Any(a => a.MemberId == member.Id))
            .OrderBy(p => p.PostedAt).ThenBy(p => p.Id)
            .Include(p => p.Approvals).Include(p => p.Attachments).AsSplitQuery().ToListAsync(ct);
        var waiting = candidates.Where(p => p.MayApprove(member, now)).ToList();
        var shown = waiting.Take(MaxItems).ToList();
        return TypedResults.Ok(new ProposalPage(await db.SummariesAsync(shown, ct), 1, MaxItems, waiting.Count));
    }

    /// <summary>The caller's own proposals, newest first, optionally of some statuses (<c>open,executed</c>).</summary>
    static async Task<Ok<ProposalPage>> Mine(string? status, int? page, CurrentMember me, BoardDb db, CancellationToken ct)
    {
        var query = db.Proposals.AsNoTracking().Where(p => p.AuthorId == me.Member.Id);
        if (!string.IsNullOrWhiteSpace(status))
        {
            var statuses = ProposalsEndpoints.ParseStatuses(status);
            query = query.Where(p => statuses.Contains(p.Status));
        }
        var pageNumber = ProposalsEndpoints.PageNumber(page);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(p => p.PostedAt).ThenByDescending(p => p.Id)
            .Skip((pageNumber - 1) * ProposalsEndpoints.PageSize).Take(ProposalsEndpoints.PageSize)
            .Include(p => p.Approvals).Include(p => p.Attachments).AsSplitQuery().ToListAsync(ct);
        return TypedResults.Ok(new ProposalPage(await db.SummariesAsync(items, ct), pageNumber, ProposalsEndpoints.PageSize, total));
    }
}
