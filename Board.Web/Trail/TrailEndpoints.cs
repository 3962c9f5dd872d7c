using Board.Domain;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Persistence;
using Board.Web.Proposals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Trail;

public static class TrailEndpoints
{
    public const int MaxLimit = 500;
    public const string HeadSeqHeader = "X-Board-Head-Seq";
    public const string HeadHashHeader = "X-Board-Head-Hash";

    public static IEndpointRouteBuilder MapTrail(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/boards/{boardId:guid}/events", Events).WithName("listBoardEvents").WithSummary("List a board's trail entries after a seq (catch-up after a reconnect)").WithTags("Trail").RequireAuthorization();
        var audit = app.MapGroup("/api/audit").WithTags("Trail").RequireAuthorization();
        audit.MapGet("/", List).WithName("listTrail").WithSummary("List trail entries, filtered and paged");
        audit.MapGet("/head", Head).WithName("getTrailHead").WithSummary("Get the latest trail entry's seq and hash");
        audit.MapGet("/verify", Verify).WithName("verifyTrail").WithSummary("Recompute the hash chain and name the first entry that does not match").RequireRateLimiting(VerifyLimit.Policy);
        audit.MapGet("/export", Export).WithName("exportTrail").WithSummary("Export trail entries as CSV or JSON Lines").RequireMemberRole([.. Roles.Reviewers])
            .Produces<string>(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"]);
        return app;
    }

    /// <summary>The entries of one board after <paramref name="after"/>, oldest first, each with its proposal's state: how a client catches up.</summary>
    static async Task<Results<Ok<List<TrailEntryDto>>, NotFound>> Events(
        Guid boardId, long? after, int? limit, CurrentMember me, BoardDb db, MarkdownRenderer markdown, CancellationToken ct)
    {
        if (!await db.Boards.AnyAsync(b => b.Id == boardId, ct)) return TypedResults.NotFound();
        var from = after ?? 0;
        var entries = await db.Trail.AsNoTracking().Where(e => e.BoardId == boardId && e.Seq > from)
            .OrderBy(e => e.Seq).Take(Limit(limit)).ToListAsync(ct);
        return TypedResults.Ok(await WithProposalsAsync(db, markdown, entries, ct));
    }

    /// <summary>Newest first from <paramref name="before"/> (or the head); oldest first from <paramref name="after"/>.</summary>
    static async Task<Ok<TrailPage>> List(
        Guid? boardId, Guid? proposalId, Guid? actorId, string? action, DateTimeOffset? from, DateTimeOffset? to,
        long? after, long? before, int? limit, CurrentMember me, BoardDb db, CancellationToken ct)
    {
        new TrailFilter(boardId, proposalId, actorId, action, from, to).Validated();
        if (after is not null && before is not null)
            throw Refusal.Invalid("after", "Use either after or before, not both.");

        var query = db.Trail.AsNoTracking();
        if (boardId is { } b) query = query.Where(e => e.BoardId == b);
        if (proposalId is { } p) query = query.Where(e => e.ProposalId == p);
        if (actorId is { } a) query = query.Where(e => e.ActorId == a);
        if (action is not null) query = query.Where(e => e.Action == action);
        if (from is { } f) query = query.Where(e => e.At >= f);
        if (to is { } t) query = query.Where(e => e.At < t);

        var take = Limit(limit);
        List<AuditEntry> items;
        if (after is { } afterSeq)
            items = await query.Where(e => e.Seq > afterSeq).OrderBy(e => e.Seq).Take(take).ToListAsync(ct);
        else
        {
            if (before is { } beforeSeq) query = query.Where(e => e.Seq < beforeSeq);
            items = await query.OrderByDescending(e => e.Seq).Take(take).ToListAsync(ct);
        }
        long? next = items.Count == take ? items[^1].Seq : null;
        var head = await db.Trail.MaxAsync(e => (long?)e.Seq, ct) ?? 0;
        return TypedResults.Ok(new TrailPage([.. items.Select(e => TrailEntryDto.From(e))], next, head));
    }

    /// <summary>The chain head now, to be written down or sent elsewhere and given back to verify later.</summary>
    static async Task<Ok<TrailHead>> Head(CurrentMember me, BoardDatabase database, CancellationToken ct)
    {
        await using var snapshot = await TrailSnapshot.OpenAsync(database, ct);
        return TypedResults.Ok(await TrailReader.HeadAsync(snapshot, ct));
    }

    /// <summary>Recomputes the chain; with a head given earlier (<c>headSeq</c> and <c>headHash</c>, or <c>head</c>), also proves the trail still holds it.</summary>
    /// <remarks>
    /// Starts from the last checkpoint a verification found whole (its signature checked, the stored tree still
    /// holding its root) and recomputes only the entries after it; <c>full=true</c> recomputes everything. A valid
    /// answer marks the latest checkpoint it passed as verified, for the next one to start from.
    /// </remarks>
    static async Task<Ok<VerifyResult>> Verify(long? headSeq, string? headHash, string? head, bool? full, CurrentMember me,
        BoardDatabase database, TrailKey key, BoardDb db, TimeProvider clock, CancellationToken ct)
    {
        var result = await TrailVerifier.CheckAsync(database, new TrailCheck(ExpectedHeadOf(headSeq, headHash, head), Key: key.Verifier, Full: full ?? false), ct);
        if (result is { Valid: true, CheckpointSize: { } size } && size > result.VerifiedFrom)
        {
            var now = clock.GetUtcNow();
            await db.Set<TrailCheckpoint>().Where(c => c.Size == size && c.VerifiedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.VerifiedAt, now), ct);
        }
        return TypedResults.Ok(result);
    }

    /// <summary>
    /// Streams the entries matching the filters, oldest first, from one read snapshot: the head of that snapshot is
    /// sent first in <c>X-Board-Head-Seq</c>/<c>X-Board-Head-Hash</c> and again as the last line.
    /// </summary>
    static async Task<PushStreamHttpResult> Export(
        string? format, Guid? boardId, Guid? proposalId, Guid? actorId, string? action, DateTimeOffset? from, DateTimeOffset? to,
        long? after, HttpContext http, BoardDatabase database, CancellationToken ct)
    {
        format = (format ?? TrailExport.Csv).Trim().ToLowerInvariant();
        if (!TrailExport.Formats.Contains(format))
            throw Refusal.Invalid("format", $"Unknown format '{format}'. Formats are: {string.Join(", ", TrailExport.Formats)}.");
        var filter = new TrailFilter(boardId, proposalId, actorId, action, from, to, after).Validated();

        var tx = await TrailSnapshot.OpenAsync(database, ct);
        http.Response.RegisterForDisposeAsync(tx);
        var snapshotHead = await TrailReader.HeadAsync(tx, ct);
        http.Response.Headers[HeadSeqHeader] = snapshotHead.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers[HeadHashHeader] = snapshotHead.Hash;
        return TypedResults.Stream(body => TrailExport.WriteAsync(body, format, tx, filter, snapshotHead, ct),
            TrailExport.ContentType(format), $"board-audit-{snapshotHead.Seq}.{format}");
    }

    private static ExpectedHead? ExpectedHeadOf(long? headSeq, string? headHash, string? head)
    {
        if (headHash is not null && head is not null && !string.Equals(headHash, head, StringComparison.OrdinalIgnoreCase))
            throw Refusal.Invalid("head", "Give the head hash once, as head or as headHash.");
        var hash = (headHash ?? head)?.Trim().ToLowerInvariant();
        if (hash is null)
            return headSeq is null ? null : throw Refusal.Invalid("headHash", "A head seq needs its hash (headHash).");
        if (!IsHash(hash)) throw Refusal.Invalid("headHash", "A head hash is 64 hexadecimal characters.");
        if (headSeq < 0) throw Refusal.Invalid("headSeq", "A head seq is 0 or more.");
        return new ExpectedHead(headSeq, hash);
    }

    internal static bool IsHash(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    internal static async Task<List<TrailEntryDto>> WithProposalsAsync(BoardDb db, MarkdownRenderer markdown, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        var ids = entries.Where(e => e.ProposalId is not null).Select(e => e.ProposalId!.Value).Distinct().ToList();
        var proposals = await db.ViewsByIdAsync(ids, markdown, ct);
        return [.. entries.Select(e => TrailEntryDto.From(e, e.ProposalId is { } id ? proposals.GetValueOrDefault(id) : null))];
    }

    private static int Limit(int? limit) => Math.Clamp(limit ?? 100, 1, MaxLimit);
}
