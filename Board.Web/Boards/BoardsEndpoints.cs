using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Web.Auth;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using DomainBoard = Board.Domain.Boards.Board;

namespace Board.Web.Boards;

public static class BoardsEndpoints
{
    public static IEndpointRouteBuilder MapBoards(this IEndpointRouteBuilder app)
    {
        var boards = app.MapGroup("/api/boards").WithTags("Boards").RequireAuthorization();
        boards.MapGet("/", List).WithName("listBoards").WithSummary("List the boards with their policy and counts");
        boards.MapGet("/{boardId:guid}", Get).WithName("getBoard").WithSummary("Get a board with its policy and counts");
        boards.MapPost("/", Create).WithName("createBoard").WithSummary("Create a board").RequireMemberRole(Roles.Admin);
        boards.MapPut("/{boardId:guid}", Rename).WithName("renameBoard").WithSummary("Rename a board").RequireMemberRole(Roles.Admin);
        boards.MapPut("/{boardId:guid}/policy", ChangePolicy).WithName("changeBoardPolicy").WithSummary("Change a board's policy for proposals posted from now on").RequireMemberRole(Roles.Admin);
        return app;
    }

    static async Task<Ok<List<BoardDto>>> List(CurrentMember me, BoardDb db, CancellationToken ct)
    {
        var boards = await db.Boards.AsNoTracking().OrderBy(b => b.CreatedAt).ToListAsync(ct);
        var counts = await CountsAsync(db, null, ct);
        return TypedResults.Ok(boards.Select(b => ToDto(b, counts)).ToList());
    }

    static async Task<Results<Ok<BoardDto>, NotFound>> Get(Guid boardId, CurrentMember me, BoardDb db, CancellationToken ct)
    {
        if (await db.Boards.AsNoTracking().FirstOrDefaultAsync(b => b.Id == boardId, ct) is not { } board) return TypedResults.NotFound();
        return TypedResults.Ok(ToDto(board, await CountsAsync(db, boardId, ct)));
    }

    static async Task<Created<BoardDto>> Create(CreateBoardRequest request, CurrentMember me, BoardDb db, TimeProvider clock, CancellationToken ct)
    {
        await db.BeginWriteAsync(ct);
        var board = DomainBoard.Create(request.Name, request.Policy?.ToPolicy() ?? Domain.Boards.BoardPolicy.Default, me.Member, clock.GetUtcNow());
        db.Boards.Add(board);
        await db.CommitAsync(ct);
        return TypedResults.Created($"/api/boards/{board.Id}", ToDto(board, []));
    }

    static Task<Results<Ok<BoardDto>, NotFound>> Rename(
        Guid boardId, RenameBoardRequest request, CurrentMember me, BoardDb db, TimeProvider clock, CancellationToken ct) =>
        Change(boardId, db, b => b.Rename(request.Name, me.Member, clock.GetUtcNow()), ct);

    static Task<Results<Ok<BoardDto>, NotFound>> ChangePolicy(
        Guid boardId, PolicyRequest request, CurrentMember me, BoardDb db, TimeProvider clock, CancellationToken ct) =>
        Change(boardId, db, b => b.ChangePolicy(request.ToPolicy(), me.Member, clock.GetUtcNow()), ct);

    /// <summary>Load → decide → commit → view for one board.</summary>
    static async Task<Results<Ok<BoardDto>, NotFound>> Change(Guid boardId, BoardDb db, Action<DomainBoard> decide, CancellationToken ct) =>
        await db.ChangeAsync((d, c) => d.Boards.FindAsync([boardId], c).AsTask(), decide, ct) is { } board
            ? TypedResults.Ok(ToDto(board, await CountsAsync(db, boardId, ct)))
            : TypedResults.NotFound();

    private static async Task<Dictionary<(Guid, ProposalStatus), int>> CountsAsync(BoardDb db, Guid? boardId, CancellationToken ct)
    {
        var query = db.Proposals.AsNoTracking();
        if (boardId is { } id) query = query.Where(p => p.BoardId == id);
        var rows = await query.GroupBy(p => new { p.BoardId, p.Status }).Select(g => new { g.Key.BoardId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        return rows.ToDictionary(r => (r.BoardId, r.Status), r => r.Count);
    }

    private static BoardDto ToDto(DomainBoard b, Dictionary<(Guid, ProposalStatus), int> counts)
    {
        int Count(ProposalStatus s) => counts.GetValueOrDefault((b.Id, s));
        return new BoardDto(b.Id, b.Name, PolicyDto.From(b.Policy), b.CreatedAt, new BoardCountsDto(
            Count(ProposalStatus.Open), Count(ProposalStatus.Executed), Count(ProposalStatus.Done),
            Count(ProposalStatus.Withdrawn), Count(ProposalStatus.Expired)));
    }
}
