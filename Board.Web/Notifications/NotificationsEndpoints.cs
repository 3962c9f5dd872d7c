using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Notifications;

/// <summary>"Your proposal executed", read from the trail, for the author wherever they are in Board.</summary>
public sealed record NotificationDto(long Seq, string At, string Action, Guid BoardId, string BoardName, Guid ProposalId, string Title);

public static class NotificationsEndpoints
{
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/notifications", List).WithName("listNotifications").WithSummary("List what happened lately that concerns the signed-in member").WithTags("Notifications").RequireAuthorization();
        return app;
    }

    /// <summary>The caller's proposals that executed, newest first; with <paramref name="after"/>, only those after that seq (what the page has not shown yet).</summary>
    static async Task<Ok<List<NotificationDto>>> List(long? after, int? limit, CurrentMember me, BoardDb db, CancellationToken ct)
    {
        var afterSeq = after ?? 0;
        var rows = await (
            from e in db.Trail.AsNoTracking()
            join p in db.Proposals.AsNoTracking() on e.ProposalId equals p.Id
            join b in db.Boards.AsNoTracking() on p.BoardId equals b.Id
            where e.Action == TrailActions.ProposalExecuted && p.AuthorId == me.Member.Id && e.Seq > afterSeq
            orderby e.Seq descending
            select new { e.Seq, e.At, e.Action, p.BoardId, BoardName = b.Name, ProposalId = p.Id, p.Title })
            .Take(Math.Clamp(limit ?? 20, 1, MaxLimit)).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(r => new NotificationDto(r.Seq, HashChain.FormatTime(r.At), r.Action, r.BoardId, r.BoardName, r.ProposalId, r.Title)).ToList());
    }
}
