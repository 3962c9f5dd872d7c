using Board.Domain;
using Board.Domain.Members;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Board.Web.Insights;

public static class InsightsEndpoints
{
    public const int DefaultWeeks = 12;
    public const int MaxDays = 731;

    // Week buckets and Unix milliseconds are computed from these; the calendar's ends would overflow them.
    private static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;
    private static readonly DateTimeOffset Latest = new(2999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    public static IEndpointRouteBuilder MapInsights(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/insights", Get).WithName("getInsights").WithSummary("Get decision statistics by week, age and approver").WithTags("Insights").RequireAuthorization().RequireMemberRole([.. Roles.Reviewers]);
        return app;
    }

    /// <summary>
    /// How decisions go on one board (or all) over [<paramref name="from"/>, <paramref name="to"/>): by default the
    /// last 12 weeks up to now. <paramref name="format"/> <c>csv</c> gives the same figures as a CSV file.
    /// </summary>
    static async Task<Results<Ok<InsightsDto>, FileContentHttpResult, NotFound>> Get(
        Guid? boardId, DateTimeOffset? from, DateTimeOffset? to, string? format, BoardDb db, TimeProvider clock, CancellationToken ct)
    {
        if (from is { } f && (f < Earliest || f > Latest)) throw Refusal.Invalid("from", "Give a date between 1970 and 2999.");
        if (to is { } t && (t < Earliest || t > Latest)) throw Refusal.Invalid("to", "Give a date between 1970 and 2999.");
        // The trail keeps milliseconds: a finer bound would only split hairs the summary cannot.
        var end = HashChain.Truncate(to ?? clock.GetUtcNow());
        var start = HashChain.Truncate(from ?? end.AddDays(-7 * DefaultWeeks));
        if (start >= end) throw Refusal.Invalid("from", "The period must start before it ends.");
        if ((end - start).TotalDays > MaxDays) throw Refusal.Invalid("from", $"The period can be at most {MaxDays} days.");
        var csv = format?.Trim().ToLowerInvariant() switch
        {
            null or "" or "json" => false,
            "csv" => true,
            _ => throw Refusal.Invalid("format", "Use json or csv."),
        };
        if (boardId is { } id && !await db.Boards.AnyAsync(b => b.Id == id, ct)) return TypedResults.NotFound();

        var insights = await InsightsSummary.ReadAsync(db, start, end, boardId, ct);
        return csv
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(InsightsCalculator.ToCsv(insights)), "text/csv; charset=utf-8", "insights.csv")
            : TypedResults.Ok(insights);
    }
}
