using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Insights;

/// <summary>
/// How many proposals reached one outcome on one UTC day, by how long they took: the first level of Insights'
/// durations (<see cref="OutcomeTimes"/>). Kept by triggers on <c>insight_proposals</c> in the same transaction as the
/// entry that moved it (migration <c>InsightsOutcomes</c>), once for every board together (<see cref="Scope"/> 0,
/// <see cref="BoardId"/> empty) and once for the proposal's board (<see cref="Scope"/> 1).
/// </summary>
public sealed class OutcomeDay
{
    private OutcomeDay() { }

    public int Kind { get; private set; }
    public int Scope { get; private set; }
    public Guid BoardId { get; private set; }
    /// <summary>Days since 1970-01-01 (UTC) of the outcome.</summary>
    public long Day { get; private set; }
    /// <summary><see cref="OutcomeTimes.CoarseOf"/> of its duration's class, or a negative class (none, or before its start).</summary>
    public long Coarse { get; private set; }
    public int Count { get; private set; }
}

/// <summary>
/// The second level: within one coarse range, how many took each <see cref="OutcomeTimes.ClassOf"/> — read only for the
/// range a percentile falls in.
/// </summary>
public sealed class OutcomeClass
{
    private OutcomeClass() { }

    public int Kind { get; private set; }
    public int Scope { get; private set; }
    public Guid BoardId { get; private set; }
    public long Coarse { get; private set; }
    public long Day { get; private set; }
    public long Class { get; private set; }
    public int Count { get; private set; }
}

public sealed class OutcomeDayConfiguration : IEntityTypeConfiguration<OutcomeDay>
{
    public void Configure(EntityTypeBuilder<OutcomeDay> b)
    {
        b.ToTable("insight_outcome_days");
        b.HasKey(x => new { x.Kind, x.Scope, x.BoardId, x.Day, x.Coarse });
    }
}

public sealed class OutcomeClassConfiguration : IEntityTypeConfiguration<OutcomeClass>
{
    public void Configure(EntityTypeBuilder<OutcomeClass> b)
    {
        b.ToTable("insight_outcome_classes");
        b.HasKey(x => new { x.Kind, x.Scope, x.BoardId, x.Coarse, x.Day, x.Class });
    }
}

/// <summary>
/// The outcomes Insights counts and times, and the classes durations are kept in. Insights shows a duration as hours
/// rounded to two decimals, so a duration's class is what decides the figure shown: the even class 2k holds exactly
/// k × 18 s (a hundredth of an hour is 36 s, and its half, where rounding turns, is 18 s), the odd class 2k + 1 the
/// durations strictly between k × 18 s and (k + 1) × 18 s, which all round alike. Sorting by class sorts by duration, so
/// the class at a rank gives the very figure the duration at that rank would. Classes fall into coarse ranges: hourly
/// up to 48 h, daily beyond. The triggers that keep the summary compute the same in SQL (migration InsightsOutcomes).
/// </summary>
public static class OutcomeTimes
{
    public sealed record Kind(int Id, string Column, string? Start);

    public static readonly Kind Executed = new(1, "ExecutedAt", "PostedAt");
    public static readonly Kind Done = new(2, "DoneAt", "ExecutedAt");
    public static readonly Kind Withdrawn = new(3, "WithdrawnAt", null);
    public static readonly Kind Expired = new(4, "ExpiredAt", null);

    /// <summary>The class of an outcome recorded before its start (clocks of two instances apart): read row by row.</summary>
    public const long Early = -1;

    public const long HalfHundredthMs = 18_000;
    private const long ClassesPerHour = 200;
    private const long HourlyClasses = 48 * ClassesPerHour;
    private const long ClassesPerDay = 24 * ClassesPerHour;

    public static long ClassOf(long durationMs) =>
        durationMs < 0 ? Early : 2 * (durationMs / HalfHundredthMs) + (durationMs % HalfHundredthMs == 0 ? 0 : 1);

    public static long CoarseOf(long @class) =>
        @class < 0 ? @class : @class < HourlyClasses ? @class / ClassesPerHour : 48 + (@class - HourlyClasses) / ClassesPerDay;

    /// <summary>A duration in the class: every duration in it shows as the same hours.</summary>
    public static long DurationOf(long @class) => @class / 2 * HalfHundredthMs + @class % 2;
}
