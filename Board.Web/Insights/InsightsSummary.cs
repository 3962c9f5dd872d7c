using System.Data.Common;
using System.Globalization;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
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
        // Each outcome read by its time range, with the time its duration is counted from beside it (covering: the
        // read never visits the table); the open ones by (not closed yet, posted before the end).
        b.HasIndex(x => new { x.ExecutedAt, x.PostedAt });
        b.HasIndex(x => new { x.DoneAt, x.ExecutedAt });
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

    private const long WeekMs = 7 * DayMs;

    /// <param name="from">Inclusive, whole milliseconds (the trail's precision).</param>
    /// <param name="to">Exclusive, whole milliseconds.</param>
    public static async Task<InsightsDto> ReadAsync(BoardDb db, DateTimeOffset from, DateTimeOffset to, Guid? boardId, CancellationToken ct)
    {
        var period = new Period(db, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), boardId);
        var firstWeek = InsightsCalculator.WeekOf(from);
        var firstWeekMs = new DateTimeOffset(firstWeek.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

        // One index-only range per outcome (each outcome's time is indexed with the time its duration starts from), read
        // off the reader into a count per week and an array of durations: no row becomes an object.
        var weekCount = 0;
        for (var week = firstWeek; week <= InsightsCalculator.WeekOf(to.AddTicks(-1)); week = week.AddDays(7)) weekCount++;
        var executed = await period.OutcomeAsync("ExecutedAt", "PostedAt", firstWeekMs, weekCount, ct);
        var done = await period.OutcomeAsync("DoneAt", "ExecutedAt", firstWeekMs, weekCount, ct);
        var withdrawn = await period.OutcomeAsync("WithdrawnAt", null, firstWeekMs, weekCount, ct);
        var expired = await period.OutcomeAsync("ExpiredAt", null, firstWeekMs, weekCount, ct);
        var weeks = Enumerable.Range(0, weekCount).Select(i => new WeekDto(
            firstWeek.AddDays(7 * i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            executed.PerWeek[i], done.PerWeek[i], withdrawn.PerWeek[i], expired.PerWeek[i])).ToList();

        // Open at the end: posted before it and not closed before it (two index ranges rather than one OR).
        var open = await period.ValuesAsync("SELECT \"PostedAt\" AS \"Value\" FROM insight_proposals WHERE \"ClosedAt\" IS NULL AND \"PostedAt\" < {0}", ct);
        open.AddRange(await period.ValuesAsync("SELECT \"PostedAt\" AS \"Value\" FROM insight_proposals WHERE \"ClosedAt\" >= {0} AND \"PostedAt\" < {0}", ct));
        var ages = open.Select(posted => (to - DateTimeOffset.FromUnixTimeMilliseconds(posted)).TotalDays).ToList();

        return new InsightsDto(from, to, boardId, weeks,
            Duration(executed.Durations), Duration(done.Durations), InsightsCalculator.OpenByAge(ages),
            await ApproversAsync(db, from, to, boardId, ct));
    }

    /// <summary>Hours as the trail's times give them: whole milliseconds, as a <see cref="TimeSpan"/> would count them.</summary>
    private static double Hours(long milliseconds) => TimeSpan.FromTicks(milliseconds * TimeSpan.TicksPerMillisecond).TotalHours;

    /// <summary>
    /// <see cref="InsightsCalculator.Duration"/> of these durations: the same nearest ranks, taken from the milliseconds
    /// sorted (hours grow with milliseconds, so the value at a rank is the same), converted for those two ranks only.
    /// </summary>
    private static DurationDto Duration(long[] milliseconds)
    {
        if (milliseconds.Length == 0) return new DurationDto(0, null, null);
        Array.Sort(milliseconds);
        double At(double p) => Math.Round(Hours(milliseconds[Math.Max(0, (int)Math.Ceiling(p * milliseconds.Length) - 1)]), 2);
        return new DurationDto(milliseconds.Length, At(0.5), At(0.9));
    }

    /// <summary>The proposals that reached one outcome in the period: how many in each week, and how long each took from the step before (when that came before the end).</summary>
    private sealed record Outcome(int[] PerWeek, long[] Durations);

    /// <summary>
    /// Reads of the summary over one period, in SQL both databases run alike: times are whole milliseconds (bigint). The
    /// column names are this class's own constants; every value goes in as a parameter ({0} the end, {1} the start, {2}
    /// the board), made by the provider's own type mapping, so a board id is compared as the database stores it. Rows are
    /// read straight off the reader: a period of 100,000 decisions is two arrays of numbers, not 100,000 objects.
    /// </summary>
    private sealed record Period(BoardDb Db, long FromMs, long ToMs, Guid? BoardId)
    {
        /// <summary>Each proposal whose <paramref name="column"/> falls in the period, counted by week from <paramref name="firstWeekMs"/>, and timed from <paramref name="from"/>.</summary>
        public async Task<Outcome> OutcomeAsync(string column, string? from, long firstWeekMs, int weeks, CancellationToken ct)
        {
            var perWeek = new int[weeks];
            var durations = new List<long>();
            await ReadAsync(
                $"SELECT \"{column}\", {(from is null ? "NULL" : $"\"{from}\"")} FROM insight_proposals WHERE \"{column}\" >= {{1}} AND \"{column}\" < {{0}}",
                r =>
                {
                    var at = r.GetInt64(0);
                    perWeek[(at - firstWeekMs) / WeekMs]++;
                    // As the trail says it: a duration needs its start before the end of the period.
                    if (!r.IsDBNull(1) && r.GetInt64(1) is var start && start < ToMs) durations.Add(at - start);
                }, ct);
            return new Outcome(perWeek, [.. durations]);
        }

        /// <summary>The one bigint column <paramref name="sql"/> selects.</summary>
        public async Task<List<long>> ValuesAsync(string sql, CancellationToken ct)
        {
            var values = new List<long>();
            await ReadAsync(sql, r => values.Add(r.GetInt64(0)), ct);
            return values;
        }

        /// <summary>Through EF Core's own raw-SQL command (its parameters, connection, transaction, logging and interceptors), read off the reader.</summary>
        private async Task ReadAsync(string sql, Action<DbDataReader> row, CancellationToken ct)
        {
            object[] parameters = BoardId is { } board ? [ToMs, FromMs, board] : [ToMs, FromMs];
            var command = Db.GetService<IRawSqlCommandBuilder>().Build(BoardId is null ? sql : sql + " AND \"BoardId\" = {2}", parameters);
            await using var reader = await command.RelationalCommand.ExecuteReaderAsync(new RelationalCommandParameterObject(
                Db.GetService<IRelationalConnection>(), command.ParameterValues, null, Db, Db.GetService<IRelationalCommandDiagnosticsLogger>()), ct);
            while (await reader.ReadAsync(ct)) row(reader.DbDataReader);
        }
    }

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
