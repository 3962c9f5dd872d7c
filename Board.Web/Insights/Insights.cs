using System.Globalization;
using System.Text;
using Board.Domain.Trail;

namespace Board.Web.Insights;

public sealed record InsightsDto(
    DateTimeOffset From, DateTimeOffset To, Guid? BoardId, IReadOnlyList<WeekDto> Weeks,
    DurationDto PostingToExecution, DurationDto ExecutionToDone, IReadOnlyList<AgeBucketDto> OpenByAge,
    IReadOnlyList<ApproverCountDto> Approvers);

/// <summary>Decisions in the week starting <see cref="Week"/> (Monday, UTC), by outcome.</summary>
public sealed record WeekDto(string Week, int Executed, int Done, int Withdrawn, int Expired);

/// <summary>How long it took, in hours, over <see cref="Count"/> proposals (nearest-rank percentiles); null when none.</summary>
public sealed record DurationDto(int Count, double? MedianHours, double? P90Hours);

/// <summary>Open proposals whose age at the end of the period falls in <see cref="Bucket"/> (from <see cref="MinDays"/>, below <see cref="MaxDays"/>).</summary>
public sealed record AgeBucketDto(string Bucket, int MinDays, int? MaxDays, int Count);

public sealed record ApproverCountDto(Guid? MemberId, string Name, int Approvals);

/// <summary>One trail entry as insights read it.</summary>
public sealed record InsightRow(DateTimeOffset At, string Action, Guid ProposalId, Guid? ActorId, string ActorName);

/// <summary>
/// The figures managers read, computed from the trail alone: the same entries anyone can read and verify,
/// so the picture and the record cannot disagree. The endpoint reads them from <see cref="InsightsSummary"/>, whose
/// cost does not grow with the trail; this whole-trail computation is the reference it is tested against.
/// </summary>
public static class InsightsCalculator
{
    public static readonly IReadOnlyList<string> Actions =
    [
        TrailActions.ProposalPosted, TrailActions.ApprovalAdded, TrailActions.ProposalExecuted,
        TrailActions.ProposalCompleted, TrailActions.ProposalWithdrawn, TrailActions.ProposalExpired,
    ];

    public static int AgeBucketCount => AgeBuckets.Length;

    private static readonly (string Name, int Min, int? Max)[] AgeBuckets = [("0-1d", 0, 1), ("1-3d", 1, 3), ("3-7d", 3, 7), ("7-14d", 7, 14), ("14d+", 14, null)];

    /// <param name="rows">Every entry of <see cref="Actions"/> up to <paramref name="to"/> (earlier ones too: a proposal posted before the period may execute in it).</param>
    public static InsightsDto Compute(IReadOnlyList<InsightRow> rows, DateTimeOffset from, DateTimeOffset to, Guid? boardId)
    {
        var firstAt = (string action) => rows.Where(r => r.Action == action && r.At < to)
            .GroupBy(r => r.ProposalId).ToDictionary(g => g.Key, g => g.Min(r => r.At));
        var posted = firstAt(TrailActions.ProposalPosted);
        var executed = firstAt(TrailActions.ProposalExecuted);
        var completed = firstAt(TrailActions.ProposalCompleted);
        var closed = rows.Where(r => r.At < to && r.Action is TrailActions.ProposalExecuted or TrailActions.ProposalWithdrawn or TrailActions.ProposalExpired)
            .Select(r => r.ProposalId).ToHashSet();
        bool InPeriod(DateTimeOffset at) => at >= from && at < to;

        var toExecution = executed.Where(e => InPeriod(e.Value) && posted.ContainsKey(e.Key)).Select(e => (e.Value - posted[e.Key]).TotalHours);
        var toDone = completed.Where(c => InPeriod(c.Value) && executed.ContainsKey(c.Key)).Select(c => (c.Value - executed[c.Key]).TotalHours);
        var openAges = posted.Where(p => !closed.Contains(p.Key)).Select(p => (to - p.Value).TotalDays).ToList();

        return new InsightsDto(from, to, boardId, Weeks(rows, from, to),
            Duration(toExecution), Duration(toDone),
            OpenByAge(openAges),
            [.. rows.Where(r => r.Action == TrailActions.ApprovalAdded && InPeriod(r.At))
                .GroupBy(r => r.ActorId?.ToString() ?? r.ActorName)
                .Select(g => new ApproverCountDto(g.First().ActorId, g.OrderBy(r => r.At).Last().ActorName, g.Count()))
                .OrderByDescending(a => a.Approvals).ThenBy(a => a.Name, StringComparer.Ordinal)]);
    }

    /// <summary>The Monday (UTC) of the week <paramref name="at"/> falls in.</summary>
    public static DateOnly WeekOf(DateTimeOffset at)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    /// <summary>The value at rank ceil(p·n) of the sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static List<WeekDto> Weeks(IReadOnlyList<InsightRow> rows, DateTimeOffset from, DateTimeOffset to)
    {
        var counts = rows.Where(r => r.At >= from && r.At < to)
            .GroupBy(r => (WeekOf(r.At), r.Action)).ToDictionary(g => g.Key, g => g.Count());
        var weeks = new List<WeekDto>();
        for (var week = WeekOf(from); week <= WeekOf(to.AddTicks(-1)); week = week.AddDays(7))
        {
            int Count(string action) => counts.GetValueOrDefault((week, action));
            weeks.Add(new WeekDto(week.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Count(TrailActions.ProposalExecuted), Count(TrailActions.ProposalCompleted),
                Count(TrailActions.ProposalWithdrawn), Count(TrailActions.ProposalExpired)));
        }
        return weeks;
    }

    /// <summary>Open proposals counted by age in days at the end of the period.</summary>
    internal static List<AgeBucketDto> OpenByAge(IReadOnlyList<double> ageDays) =>
        [.. AgeBuckets.Select(b => new AgeBucketDto(b.Name, b.Min, b.Max, ageDays.Count(d => d >= b.Min && (b.Max is not { } max || d < max))))];

    internal static DurationDto Duration(IEnumerable<double> hours)
    {
        var sorted = hours.Order().ToList();
        return sorted.Count == 0 ? new DurationDto(0, null, null)
            : new DurationDto(sorted.Count, Math.Round(Percentile(sorted, 0.5), 2), Math.Round(Percentile(sorted, 0.9), 2));
    }

    /// <summary>The same figures as rows of section, key, measure, value.</summary>
    public static string ToCsv(InsightsDto insights)
    {
        var csv = new StringBuilder("section,key,measure,value\n");
        void Row(string section, string key, string measure, object? value) =>
            csv.Append(section).Append(',').Append(Quote(key)).Append(',').Append(measure).Append(',')
               .Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
        foreach (var w in insights.Weeks)
        {
            Row("decisions", w.Week, "executed", w.Executed);
            Row("decisions", w.Week, "done", w.Done);
            Row("decisions", w.Week, "withdrawn", w.Withdrawn);
            Row("decisions", w.Week, "expired", w.Expired);
        }
        foreach (var (key, d) in new[] { ("posting-to-execution", insights.PostingToExecution), ("execution-to-done", insights.ExecutionToDone) })
        {
            Row("timing", key, "count", d.Count);
            Row("timing", key, "median-hours", d.MedianHours);
            Row("timing", key, "p90-hours", d.P90Hours);
        }
        foreach (var b in insights.OpenByAge) Row("open-by-age", b.Bucket, "count", b.Count);
        foreach (var a in insights.Approvers) Row("approvals", a.Name, "count", a.Approvals);
        return csv.ToString();
    }

    // Spreadsheet formula injection guarded like the trail export: a leading = + - @ is quoted as text.
    private static string Quote(string value)
    {
        var text = value.Length > 0 && "=+-@\t\r".Contains(value[0]) ? "'" + value : value;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }
}
