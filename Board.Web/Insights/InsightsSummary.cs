using System.Globalization;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Insights;

/// <summary>
/// One row per proposal: when each step of its life first happened. Written by the database, never by the app: a
/// trigger on <c>audit_entries</c> keeps it with every entry inserted, in the entry's own transaction (migration
/// <c>InsightsSummary</c>, which also filled it from the trail already there).
/// </summary>
public sealed class ProposalTimeline
{
    private ProposalTimeline() { }

    public Guid ProposalId { get; private set; }
    public Guid? BoardId { get; private set; }
    public DateTimeOffset? PostedAt { get; private set; }
    public DateTimeOffset? ExecutedAt { get; private set; }
    public DateTimeOffset? DoneAt { get; private set; }
    public DateTimeOffset? WithdrawnAt { get; private set; }
    public DateTimeOffset? ExpiredAt { get; private set; }
    /// <summary>The first of executed, withdrawn and expired: from then on the proposal is no longer open.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }
}

/// <summary>
/// The approvals one approver gave on one board on one UTC day (<see cref="Day"/> = days since 1970-01-01), kept by
/// the same trigger. <see cref="ActorKey"/> groups as Insights always has: the member id, or the name for an entry
/// without one. The last approval of the day (by time, then seq) gives the name shown; the first seq orders ties.
/// </summary>
public sealed class ApproverDay
{
    private ApproverDay() { }

    public long Day { get; private set; }
    /// <summary>The board, or <see cref="Guid.Empty"/> for an entry without one.</summary>
    public Guid BoardId { get; private set; }
    public string ActorKey { get; private set; } = "";
    public Guid? ActorId { get; private set; }
    public int Approvals { get; private set; }
    public long FirstSeq { get; private set; }
    public long LastSeq { get; private set; }
    public DateTimeOffset LastAt { get; private set; }
    public string LastName { get; private set; } = "";
}

public sealed class ProposalTimelineConfiguration : IEntityTypeConfiguration<ProposalTimeline>
{
    public void Configure(EntityTypeBuilder<ProposalTimeline> b)
    {
        b.ToTable("insight_proposals");
        b.HasKey(x => x.ProposalId);
        b.Property(x => x.ProposalId).ValueGeneratedNever();
        // Each outcome read by its time range; the open ones by (not closed yet, posted before the end).
        b.HasIndex(x => x.ExecutedAt);
        b.HasIndex(x => x.DoneAt);
        b.HasIndex(x => x.WithdrawnAt);
        b.HasIndex(x => x.ExpiredAt);
        b.HasIndex(x => new { x.ClosedAt, x.PostedAt });
    }
}

public sealed class ApproverDayConfiguration : IEntityTypeConfiguration<ApproverDay>
{
    public void Configure(EntityTypeBuilder<ApproverDay> b)
    {
        b.ToTable("insight_approver_days");
        b.HasKey(x => new { x.Day, x.BoardId, x.ActorKey });
        b.Property(x => x.ActorKey).HasMaxLength(Domain.Members.Member.NameMax);
        b.Property(x => x.LastName).HasMaxLength(Domain.Members.Member.NameMax);
    }
}

/// <summary>
/// The trail index Insights reads the approvals of a part-day with (the two ends of a period that does not start or
/// end at midnight UTC). Partial: only approvals are indexed, so other entries pay nothing for it.
/// </summary>
public sealed class ApprovalTimesConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public const string IndexName = "IX_audit_entries_approvals_At";

    public void Configure(EntityTypeBuilder<AuditEntry> b) =>
        b.HasIndex(x => new { x.Action, x.At }, IndexName).HasFilter($"\"Action\" = '{TrailActions.ApprovalAdded}'");
}

/// <summary>
/// Insights read from the summary the trail keeps (<see cref="ProposalTimeline"/>, <see cref="ApproverDay"/>): the
/// cost follows the period asked for — the proposals decided in it, those open at its end, one row per approver and
/// day, and the approvals of at most two part-days at its ends — not the length of the trail. The figures are those
/// <see cref="InsightsCalculator"/> computes from the trail itself (each step of a proposal's life happens once).
/// </summary>
public static class InsightsSummary
{
    private const long DayMs = 86_400_000;

    /// <param name="from">Inclusive, whole milliseconds (the trail's precision).</param>
    /// <param name="to">Exclusive, whole milliseconds.</param>
    public static async Task<InsightsDto> ReadAsync(BoardDb db, DateTimeOffset from, DateTimeOffset to, Guid? boardId, CancellationToken ct)
    {
        var timelines = db.Set<ProposalTimeline>().AsNoTracking();
        if (boardId is { } board) timelines = timelines.Where(p => p.BoardId == board);

        var executed = await timelines.Where(p => p.ExecutedAt >= from && p.ExecutedAt < to)
            .Select(p => new Step(p.PostedAt, p.ExecutedAt!.Value)).ToListAsync(ct);
        var done = await timelines.Where(p => p.DoneAt >= from && p.DoneAt < to)
            .Select(p => new Step(p.ExecutedAt, p.DoneAt!.Value)).ToListAsync(ct);
        var withdrawn = await timelines.Where(p => p.WithdrawnAt >= from && p.WithdrawnAt < to).Select(p => p.WithdrawnAt!.Value).ToListAsync(ct);
        var expired = await timelines.Where(p => p.ExpiredAt >= from && p.ExpiredAt < to).Select(p => p.ExpiredAt!.Value).ToListAsync(ct);
        // Open at the end: posted before it and not closed before it (two index ranges rather than one OR).
        var open = await timelines.Where(p => p.ClosedAt == null && p.PostedAt < to).Select(p => p.PostedAt!.Value).ToListAsync(ct);
        open.AddRange(await timelines.Where(p => p.ClosedAt >= to && p.PostedAt < to).Select(p => p.PostedAt!.Value).ToListAsync(ct));

        var weeks = new List<WeekDto>();
        var byWeek = (IEnumerable<DateTimeOffset> times) => times.GroupBy(InsightsCalculator.WeekOf).ToDictionary(g => g.Key, g => g.Count());
        var (weekExecuted, weekDone, weekWithdrawn, weekExpired) =
            (byWeek(executed.Select(s => s.To)), byWeek(done.Select(s => s.To)), byWeek(withdrawn), byWeek(expired));
        for (var week = InsightsCalculator.WeekOf(from); week <= InsightsCalculator.WeekOf(to.AddTicks(-1)); week = week.AddDays(7))
            weeks.Add(new WeekDto(week.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), weekExecuted.GetValueOrDefault(week),
                weekDone.GetValueOrDefault(week), weekWithdrawn.GetValueOrDefault(week), weekExpired.GetValueOrDefault(week)));

        // As the trail says it: a duration needs its start before the end of the period.
        var toExecution = executed.Where(s => s.From < to).Select(s => (s.To - s.From!.Value).TotalHours);
        var toDone = done.Where(s => s.From < to).Select(s => (s.To - s.From!.Value).TotalHours);
        var ages = open.Select(posted => (to - posted).TotalDays).ToList();

        return new InsightsDto(from, to, boardId, weeks,
            InsightsCalculator.Duration(toExecution), InsightsCalculator.Duration(toDone), InsightsCalculator.OpenByAge(ages),
            await ApproversAsync(db, from, to, boardId, ct));
    }

    private sealed record Step(DateTimeOffset? From, DateTimeOffset To);

    private sealed class Tally(Guid? actorId, string name, long seq, DateTimeOffset at)
    {
        public Guid? ActorId { get; } = actorId;
        public int Count { get; set; }
        public long FirstSeq { get; set; } = seq;
        public long LastSeq { get; set; } = seq;
        public DateTimeOffset LastAt { get; set; } = at;
        public string Name { get; set; } = name;

        public void Add(int count, long firstSeq, long lastSeq, DateTimeOffset lastAt, string name)
        {
            Count += count;
            FirstSeq = Math.Min(FirstSeq, firstSeq);
            if (lastAt > LastAt || (lastAt == LastAt && lastSeq > LastSeq)) (LastAt, LastSeq, Name) = (lastAt, lastSeq, name);
        }
    }

    /// <summary>Whole days from the day rows; the part-days at either end from the trail's approvals, by time.</summary>
    private static async Task<List<ApproverCountDto>> ApproversAsync(BoardDb db, DateTimeOffset from, DateTimeOffset to, Guid? boardId, CancellationToken ct)
    {
        var tallies = new Dictionary<string, Tally>(StringComparer.Ordinal);
        void Add(string key, Guid? actorId, int count, long firstSeq, long lastSeq, DateTimeOffset lastAt, string name)
        {
            if (!tallies.TryGetValue(key, out var tally)) tallies[key] = tally = new Tally(actorId, name, firstSeq, lastAt);
            tally.Add(count, firstSeq, lastSeq, lastAt, name);
        }
        async Task AddEntriesAsync(long fromMs, long toMs)
        {
            if (fromMs >= toMs) return;
            var (start, end) = (DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs));
            var entries = db.Trail.AsNoTracking()
                .Where(e => e.Action == TrailActions.ApprovalAdded && e.At >= start && e.At < end && e.ProposalId != null);
            if (boardId is { } board) entries = entries.Where(e => e.BoardId == board);
            foreach (var e in await entries.Select(e => new { e.Seq, e.At, e.ActorId, e.ActorName }).ToListAsync(ct))
                Add(e.ActorId?.ToString() ?? e.ActorName, e.ActorId, 1, e.Seq, e.Seq, e.At, e.ActorName);
        }

        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var (firstDay, endDay) = (Math.Max(0, fromMs + DayMs - 1) / DayMs, Math.Max(0, toMs) / DayMs);
        if (firstDay < endDay)
        {
            var days = db.Set<ApproverDay>().AsNoTracking().Where(d => d.Day >= firstDay && d.Day < endDay);
            if (boardId is { } board) days = days.Where(d => d.BoardId == board);
            foreach (var d in await days.ToListAsync(ct)) Add(d.ActorKey, d.ActorId, d.Approvals, d.FirstSeq, d.LastSeq, d.LastAt, d.LastName);
            await AddEntriesAsync(fromMs, firstDay * DayMs);
            await AddEntriesAsync(endDay * DayMs, toMs);
        }
        else await AddEntriesAsync(fromMs, toMs);

        return [.. tallies.Values.OrderByDescending(t => t.Count).ThenBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.FirstSeq)
            .Select(t => new ApproverCountDto(t.ActorId, t.Name, t.Count))];
    }
}
