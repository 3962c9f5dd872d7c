using Board.Domain;
using Board.Domain.Proposals;
using Board.Web.Auth;
using Board.Web.Persistence;
using Board.Web.Problems;
using Board.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Proposals;

public static class ProposalsEndpoints
{
    public const int PageSize = 50;
    public const int MaxPage = int.MaxValue / PageSize;
    /// <summary>The longest search text: more words than anyone types, few enough for the database to match cheaply.</summary>
    public const int SearchMax = 200;

    public static IEndpointRouteBuilder MapProposals(this IEndpointRouteBuilder app)
    {
        var boards = app.MapGroup("/api/boards/{boardId:guid}/proposals").WithTags("Proposals").RequireAuthorization();
        boards.MapGet("/", List).WithName("listProposals").WithSummary("List a board's proposals, filtered and paged");
        boards.MapPost("/", Post).WithName("postProposal").WithSummary("Post a proposal on a board").RequireRateLimiting(RateLimits.WritePolicy);

        var proposals = app.MapGroup("/api/proposals/{id:guid}").WithTags("Proposals").RequireAuthorization();
        proposals.MapGet("/", Get).WithName("getProposal").WithSummary("Get a proposal with its approvals and comments");
        proposals.MapPut("/", Edit).WithName("editProposal").WithSummary("Edit an open proposal's words (dismisses the approvals if they change)").Refuses(RefusalCode.NotAuthor, RefusalCode.NotOpen).RequireRateLimiting(RateLimits.WritePolicy);
        proposals.MapPost("/approvals", Approve).WithName("approveProposal").WithSummary("Approve a proposal (executes it when the quorum is reached)").Refuses(RefusalCode.NotApprover, RefusalCode.OwnProposal, RefusalCode.AlreadyApproved, RefusalCode.NotOpen).RequireRateLimiting(RateLimits.WritePolicy);
        proposals.MapDelete("/approvals/me", TakeBack).WithName("withdrawApproval").WithSummary("Take back the caller's approval of an open proposal").Refuses(RefusalCode.NotApproved, RefusalCode.NotOpen).RequireRateLimiting(RateLimits.WritePolicy);
        proposals.MapPost("/withdraw", Withdraw).WithName("withdrawProposal").WithSummary("Withdraw an open proposal (author only)").Refuses(RefusalCode.NotAuthor, RefusalCode.NotOpen).RequireRateLimiting(RateLimits.WritePolicy);
        proposals.MapPost("/complete", Complete).WithName("completeProposal").WithSummary("Record the outcome of an executed proposal").Refuses(RefusalCode.Forbidden, RefusalCode.NotExecuted).RequireRateLimiting(RateLimits.WritePolicy);
        proposals.MapPost("/comments", AddComment).WithName("addComment").WithSummary("Comment on a proposal").RequireRateLimiting(RateLimits.WritePolicy);

        app.MapPost("/api/preview", Preview).WithName("previewMarkdown").WithSummary("Render Markdown as the board would show it").WithTags("Proposals").RequireAuthorization().RequireRateLimiting(RateLimits.PreviewPolicy);
        return app;
    }

    /// <summary><paramref name="sort"/>: <c>posted</c> (newest first, the default), <c>oldest</c> (oldest posted first) or <c>executed</c> (oldest execution first: the outcomes owed longest).</summary>
    static async Task<Results<Ok<ProposalPage>, NotFound>> List(
        Guid boardId, string? status, string? q, int? page, string? sort, Guid? reverses, CurrentMember me, BoardDb db, CancellationToken ct)
    {
        if (q?.Length > SearchMax) throw Refusal.Invalid("q", $"The search text can be at most {SearchMax} characters.");
        if (!await db.Boards.AnyAsync(b => b.Id == boardId, ct)) return TypedResults.NotFound();
        var query = db.Proposals.AsNoTracking().Where(p => p.BoardId == boardId);
        // The proposals that would undo one decision: how its page shows "reversed by".
        if (reverses is { } reversedId) query = query.Where(p => p.ReversesId == reversedId);
        if (!string.IsNullOrWhiteSpace(status))
        {
            var statuses = ParseStatuses(status);
            query = query.Where(p => statuses.Contains(p.Status));
        }
        if (!string.IsNullOrWhiteSpace(q))
        {
            // Lower-cased on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
            var pattern = $"%{EscapeLike(q.Trim().ToLowerInvariant())}%";
            query = query.Where(p => EF.Functions.Like(p.Title.ToLower(), pattern, "\\") || EF.Functions.Like(p.Body.ToLower(), pattern, "\\"));
        }
        var ordered = sort?.Trim().ToLowerInvariant() switch
        {
            null or "" or "posted" => query.OrderByDescending(p => p.PostedAt).ThenByDescending(p => p.Id),
            "oldest" => query.OrderBy(p => p.PostedAt).ThenBy(p => p.Id),
            "executed" => query.Where(p => p.ExecutedAt != null).OrderBy(p => p.ExecutedAt).ThenBy(p => p.Id),
            _ => throw Refusal.Invalid("sort", "Unknown sort. Use posted (newest first), oldest (oldest first) or executed (oldest execution first)."),
        };
        // Skip is an int: beyond this the offset would wrap around to the first pages.
        var pageNumber = PageNumber(page);
        var total = await ordered.CountAsync(ct);
        var items = await ordered
            .Skip((pageNumber - 1) * PageSize).Take(PageSize)
            .Include(p => p.Approvals).Include(p => p.Attachments).AsSplitQuery().ToListAsync(ct);
        return TypedResults.Ok(new ProposalPage(await db.SummariesAsync(items, ct), pageNumber, PageSize, total));
    }

    static async Task<Results<Created<ProposalDto>, NotFound>> Post(
        Guid boardId, PostProposalRequest request, CurrentMember me, BoardDb db, ProposalViews views, TimeProvider clock, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        if (await db.Boards.FindAsync([boardId], ct) is not { } board) return TypedResults.NotFound();
        Proposal? reverses = null;
        if (request.Reverses is { } reversesId && (reverses = await db.Proposals.FindAsync([reversesId], ct)) is null)
            throw Refusal.Invalid("reverses", "The proposal to reverse does not exist.");
        var proposal = Proposal.Post(board, me.Member, request.Title, request.Body, reverses, clock.GetUtcNow());
        db.Proposals.Add(proposal);
        await db.CommitAsync(ct);
        return TypedResults.Created($"/api/proposals/{proposal.Id}", views.Of(proposal));
    }

    static async Task<Results<Ok<ProposalDto>, NotFound>> Get(Guid id, CurrentMember me, BoardDb db, ProposalViews views, CancellationToken ct) =>
        await db.FindForReadAsync(id, ct) is { } proposal ? TypedResults.Ok(views.Of(proposal)) : TypedResults.NotFound();

    static Task<Results<Ok<ProposalDto>, NotFound>> Edit(
        Guid id, EditProposalRequest request, CurrentMember me, BoardDb db, ProposalViews views, TimeProvider clock, CancellationToken ct) =>
        Change(id, db, views, p => p.Edit(me.Member, request.Title, request.Body, clock.GetUtcNow()), ct);

    static async Task<Results<Ok<ProposalDto>, NotFound>> Approve(
        Guid id, CurrentMember me, BoardDb db, ProposalViews views, TimeProvider clock, CancellationToken ct) =>
        // Who holds the approver role is read under the write lock, the approver with the earlier approvers in one
        // statement: a role taken away or a deactivation a moment ago already counts.
        Viewed(await db.ChangeWithApproversAsync(id, me.Member.Id, (proposal, stillCounting) =>
        {
            var approver = CurrentMember.AsOfNow(me.Member, proposal.ApproverRole, stillCounting.Contains(me.Member.Id));
            proposal.Approve(approver, clock.GetUtcNow(), stillCounting.Contains);
        }, ct), views);

    static Task<Results<Ok<ProposalDto>, NotFound>> TakeBack(
        Guid id, CurrentMember me, BoardDb db, ProposalViews views, TimeProvider clock, CancellationToken ct) =>
        Change(id, db, views, p => p.TakeBackApproval(me.Member, clock.GetUtcNow()), ct);

    static Task<Results<Ok<ProposalDto>, NotFound>> Withdraw(
        Guid id, CurrentMember me, BoardDb db, ProposalViews views, TimeProvider clock, CancellationToken ct) =>
        Change(id, db, views, p => p.Withdraw(me.Member, clock.GetUtcNow()), ct);

    static Task<Results<Ok<ProposalDto>, NotFound>> Complete(
        Guid id, CompleteRequest request, CurrentMember me, BoardDb db, ProposalViews views, TimeProvider clock, CancellationToken ct) =>
        Change(id, db, views, p => p.Complete(me.Member, request.Note, clock.GetUtcNow()), ct);

    static async Task<Results<Created<CommentDto>, NotFound>> AddComment(
        Guid id, CommentRequest request, CurrentMember me, BoardDb db, ProposalViews views, TimeProvider clock, CancellationToken ct)
    {
        Comment? comment = null;
        if (await db.ChangeProposalAsync(id, p => comment = p.AddComment(me.Member, request.Body, clock.GetUtcNow()), ct) is not { } proposal)
            return TypedResults.NotFound();
        return TypedResults.Created($"/api/proposals/{id}#comment-{comment!.Id}",
            views.Of(proposal).Comments.Single(c => c.Id == comment.Id));
    }

    /// <summary>Load → decide → commit → view: the one shape of every change to a proposal that answers with it.</summary>
    static async Task<Results<Ok<ProposalDto>, NotFound>> Change(Guid id, BoardDb db, ProposalViews views, Action<Proposal> decide, CancellationToken ct) =>
        Viewed(await db.ChangeProposalAsync(id, decide, ct), views);

    static Results<Ok<ProposalDto>, NotFound> Viewed(Proposal? proposal, ProposalViews views) =>
        proposal is null ? TypedResults.NotFound() : TypedResults.Ok(views.Of(proposal));

    /// <summary>
    /// The draft as it would be shown; refused, like the write would be, when Markdown cannot render it.
    /// Validation has refused a draft over its length limit before this renders it.
    /// </summary>
    static Ok<PreviewDto> Preview(PreviewRequest request, MarkdownRenderer markdown) =>
        TypedResults.Ok(new PreviewDto(markdown.TryRender(request.Body ?? "") ?? throw Refusal.Invalid("body", MarkdownAttribute.Message)));

    public sealed record PreviewDto(string Html);

    internal static List<ProposalStatus> ParseStatuses(string status)
    {
        var result = new List<ProposalStatus>();
        foreach (var part in status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<ProposalStatus>(part, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(part, out _))
                throw Refusal.Invalid("status", $"Unknown status '{part}'. Use open, executed, done, withdrawn or expired.");
            result.Add(parsed);
        }
        return result;
    }

    /// <summary>The page asked for (1 when none), refused beyond <see cref="MaxPage"/> so that its offset cannot overflow.</summary>
    public static int PageNumber(int? page) =>
        page > MaxPage ? throw Refusal.Invalid("page", $"The page must be at most {MaxPage}.") : Math.Max(1, page ?? 1);

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
