using System.Data.Common;
using System.Globalization;
using Board.Domain.Trail;
using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage;

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
        // The rare outcome recorded before the time it counts from (two instances' clocks apart): read row by row.
        b.HasIndex(x => new { x.ExecutedAt, x.PostedAt }, "IX_insight_proposals_executed_early").HasFilter(EarlyFilter(OutcomeTimes.Executed));
        b.HasIndex(x => new { x.DoneAt, x.ExecutedAt }, "IX_insight_proposals_done_early").HasFilter(EarlyFilter(OutcomeTimes.Done));
    }

    public static string EarlyFilter(OutcomeTimes.Kind kind) => $"\"{kind.Column}\" < \"{kind.Start}\"";
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

        var weekCount = 0;
        for (var week = firstWeek; week <= InsightsCalculator.WeekOf(to.AddTicks(-1)); week = week.AddDays(7)) weekCount++;
        // Counts, then the rows or classes a percentile falls in: one state of the database for all of them.
        await using var snapshot = await db.BeginSnapshotAsync(ct);
        var executed = await period.OutcomeAsync(OutcomeTimes.Executed, firstWeekMs, weekCount, ct);
        var done = await period.OutcomeAsync(OutcomeTimes.Done, firstWeekMs, weekCount, ct);
        var withdrawn = await period.OutcomeAsync(OutcomeTimes.Withdrawn, firstWeekMs, weekCount, ct);
        var expired = await period.OutcomeAsync(OutcomeTimes.Expired, firstWeekMs, weekCount, ct);
        var weeks = Enumerable.Range(0, weekCount).Select(i => new WeekDto(
            firstWeek.AddDays(7 * i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            executed.PerWeek[i], done.PerWeek[i], withdrawn.PerWeek[i], expired.PerWeek[i])).ToList();

        // Open at the end: posted before it and not closed before it (two index ranges rather than one OR).
        List<long> open = [];
        await period.RowsAsync("SELECT \"PostedAt\" FROM insight_proposals WHERE \"ClosedAt\" IS NULL AND \"PostedAt\" < {0}", r => open.Add(r.GetInt64(0)), ct);
        await period.RowsAsync("SELECT \"PostedAt\" FROM insight_proposals WHERE \"ClosedAt\" >= {0} AND \"PostedAt\" < {0}", r => open.Add(r.GetInt64(0)), ct);
        var ages = open.Select(posted => (to - DateTimeOffset.FromUnixTimeMilliseconds(posted)).TotalDays).ToList();

        return new InsightsDto(from, to, boardId, weeks, executed.Duration, done.Duration, InsightsCalculator.OpenByAge(ages),
            await period.ApproversAsync(ct));
    }

    /// <summary>Hours as the trail's times give them: whole milliseconds, as a <see cref="TimeSpan"/> would count them.</summary>
    private static double Hours(long milliseconds) => TimeSpan.FromTicks(milliseconds * TimeSpan.TicksPerMillisecond).TotalHours;

    /// <summary>The proposals that reached one outcome in the period: how many in each week, and how long they took from the step before.</summary>
    private sealed record Outcome(int[] PerWeek, DurationDto Duration);

    /// <summary>
    /// Reads of the summary over one period, in SQL both databases run alike: times are whole milliseconds (bigint). The
    /// column names are this class's own constants; every value goes in as a parameter, made by the provider's own type
    /// mapping, so a board id is compared as the database stores it.
    /// </summary>
    private sealed record Period(BoardDb Db, long FromMs, long ToMs, Guid? BoardId)
    {
        private int Scope => BoardId is null ? 0 : 1;

        private Guid Board => BoardId ?? Guid.Empty;

        /// <summary>
        /// One outcome over the period. The whole UTC days inside it come from <see cref="OutcomeDay"/> (a row per day and
        /// coarse range, however many proposals), the part-days at its ends from <c>insight_proposals</c> row by row, and
        /// the outcomes recorded before their start from their own small index. A percentile then reads the classes of
        /// the one coarse range it falls in (<see cref="OutcomeClass"/>): the cost follows the days of the period, not
        /// the proposals decided in it. The figures are exactly those the durations themselves give (<see cref="OutcomeTimes"/>).
        /// </summary>
        public async Task<Outcome> OutcomeAsync(OutcomeTimes.Kind kind, long firstWeekMs, int weeks, CancellationToken ct)
        {
            var perWeek = new int[weeks];
            var coarse = new SortedDictionary<long, long>();
            var partClasses = new List<long>();
            var early = new List<long>();
            var (firstDay, endDay) = (Math.Max(0, FromMs + DayMs - 1) / DayMs, Math.Max(0, ToMs) / DayMs);
            var wholeDays = firstDay < endDay;

            async Task PartAsync(long fromMs, long toMs)
            {
                if (fromMs >= toMs) return;
                await RowsAsync(
                    $"SELECT \"{kind.Column}\", {(kind.Start is null ? "NULL" : $"\"{kind.Start}\"")} FROM insight_proposals WHERE \"{kind.Column}\" >= {{1}} AND \"{kind.Column}\" < {{0}}",
                    r =>
                    {
                        var at = r.GetInt64(0);
                        perWeek[(at - firstWeekMs) / WeekMs]++;
                        // Early ones are read over the whole period below.
                        if (r.IsDBNull(1) || at - r.GetInt64(1) is var duration && duration < 0) return;
                        var @class = OutcomeTimes.ClassOf(duration);
                        var range = OutcomeTimes.CoarseOf(@class);
                        partClasses.Add(@class);
                        coarse[range] = coarse.GetValueOrDefault(range) + 1;
                    }, ct, fromMs, toMs);
            }

            if (wholeDays)
            {
                await ReadAsync(
                    $"SELECT \"Day\", \"Coarse\", \"Count\" FROM insight_outcome_days WHERE \"Kind\" = {kind.Id} AND \"Scope\" = {{0}} AND \"BoardId\" = {{1}} AND \"Day\" >= {{2}} AND \"Day\" < {{3}}",
                    [Scope, Board, firstDay, endDay],
                    r =>
                    {
                        var (day, range, count) = (r.GetInt64(0), r.GetInt64(1), r.GetInt32(2));
                        perWeek[(day * DayMs - firstWeekMs) / WeekMs] += count;
                        if (range >= 0) coarse[range] = coarse.GetValueOrDefault(range) + count;
                    }, ct);
                await PartAsync(FromMs, firstDay * DayMs);
                await PartAsync(endDay * DayMs, ToMs);
            }
            else await PartAsync(FromMs, ToMs);
            if (kind.Start is null) return new Outcome(perWeek, new DurationDto(0, null, null));

            // As the trail says it: a duration needs its start before the end of the period.
            await RowsAsync(
                $"SELECT \"{kind.Column}\", \"{kind.Start}\" FROM insight_proposals WHERE {ProposalTimelineConfiguration.EarlyFilter(kind)} AND \"{kind.Column}\" >= {{1}} AND \"{kind.Column}\" < {{0}}",
                r => { if (r.GetInt64(1) < ToMs) early.Add(r.GetInt64(0) - r.GetInt64(1)); }, ct);
            early.Sort();

            var total = early.Count + coarse.Values.Sum();
            if (total == 0) return new Outcome(perWeek, new DurationDto(0, null, null));

            // The duration at nearest rank ceil(p·n), as InsightsCalculator.Duration takes it, shown in hours.
            async Task<double> AtAsync(double p)
            {
                var rank = Math.Max(1, (long)Math.Ceiling(p * total));
                if (rank <= early.Count) return Math.Round(Hours(early[(int)rank - 1]), 2);
                rank -= early.Count;
                var (range, before) = Walk(coarse, rank);
                var classes = new SortedDictionary<long, long>();
                foreach (var c in partClasses.Where(c => OutcomeTimes.CoarseOf(c) == range)) classes[c] = classes.GetValueOrDefault(c) + 1;
                if (wholeDays)
                    await ReadAsync(
                        $"SELECT \"Class\", \"Count\" FROM insight_outcome_classes WHERE \"Kind\" = {kind.Id} AND \"Scope\" = {{0}} AND \"BoardId\" = {{1}} AND \"Coarse\" = {{2}} AND \"Day\" >= {{3}} AND \"Day\" < {{4}}",
                        [Scope, Board, range, firstDay, endDay],
                        r => classes[r.GetInt64(0)] = classes.GetValueOrDefault(r.GetInt64(0)) + r.GetInt32(1), ct);
                var (@class, _) = Walk(classes, rank - before);
                return Math.Round(Hours(OutcomeTimes.DurationOf(@class)), 2);
            }

            return new Outcome(perWeek, new DurationDto((int)total, await AtAsync(0.5), await AtAsync(0.9)));
        }

        /// <summary>
        /// Who approved how often: whole days from the day rows, the part-days at either end from the trail's approvals
        /// (its partial index on approval times), both read straight off the reader — a 12-week period of a busy chain
        /// is tens of thousands of day rows.
        /// </summary>
        public async Task<List<ApproverCountDto>> ApproversAsync(CancellationToken ct)
        {
            var tallies = new Dictionary<string, Tally>(StringComparer.Ordinal);
            void Add(string key, Guid? actorId, int count, long firstSeq, long lastSeq, long lastAt, string name)
            {
                if (!tallies.TryGetValue(key, out var tally)) tallies[key] = tally = new Tally(actorId, name, firstSeq, lastAt);
                tally.Add(count, firstSeq, lastSeq, lastAt, name);
            }
            Task EntriesAsync(long fromMs, long toMs) => fromMs >= toMs ? Task.CompletedTask : ReadAsync(
                $"SELECT \"Seq\", \"At\", \"ActorId\", \"ActorName\" FROM audit_entries WHERE \"Action\" = '{TrailActions.ApprovalAdded}' AND \"At\" >= {{0}} AND \"At\" < {{1}} AND \"ProposalId\" IS NOT NULL"
                    + (BoardId is null ? "" : " AND \"BoardId\" = {2}"),
                BoardId is null ? [fromMs, toMs] : [fromMs, toMs, Board],
                r =>
                {
                    Guid? actorId = r.IsDBNull(2) ? null : r.GetGuid(2);
                    var (seq, name) = (r.GetInt64(0), r.GetString(3));
                    Add(actorId?.ToString() ?? name, actorId, 1, seq, seq, r.GetInt64(1), name);
                }, ct);

            var (firstDay, endDay) = (Math.Max(0, FromMs + DayMs - 1) / DayMs, Math.Max(0, ToMs) / DayMs);
            if (firstDay < endDay)
            {
                // Summed by the database, one row per approver (the period's day rows are tens of thousands: read one by
                // one they cost more than all the rest of Insights), joined to the day row of their latest approval for
                // the name shown — that row is in the day of its time. Approvals at the same instant on two boards give
                // two such rows: the count is taken from the first.
                var counted = new HashSet<string>(StringComparer.Ordinal);
                var board = BoardId is null ? "" : " AND \"BoardId\" = {2}";
                await ReadAsync(
                    "SELECT g.\"ActorKey\", d.\"ActorId\", g.\"Approvals\", g.\"FirstSeq\", d.\"LastSeq\", d.\"LastAt\", d.\"LastName\" FROM ("
                        + "SELECT \"ActorKey\", SUM(\"Approvals\") AS \"Approvals\", MIN(\"FirstSeq\") AS \"FirstSeq\", MAX(\"LastAt\") AS \"LastAt\" FROM insight_approver_days"
                        + " WHERE \"Day\" >= {0} AND \"Day\" < {1}" + board + " GROUP BY \"ActorKey\") g"
                        + " JOIN insight_approver_days d ON d.\"Day\" = g.\"LastAt\" / 86400000 AND d.\"ActorKey\" = g.\"ActorKey\" AND d.\"LastAt\" = g.\"LastAt\""
                        + board.Replace("\"BoardId\"", "d.\"BoardId\"", StringComparison.Ordinal),
                    BoardId is null ? [firstDay, endDay] : [firstDay, endDay, Board],
                    r =>
                    {
                        var key = r.GetString(0);
                        Add(key, r.IsDBNull(1) ? null : r.GetGuid(1), counted.Add(key) ? (int)r.GetInt64(2) : 0, r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetString(6));
                    }, ct);
                await EntriesAsync(FromMs, firstDay * DayMs);
                await EntriesAsync(endDay * DayMs, ToMs);
            }
            else await EntriesAsync(FromMs, ToMs);

            return [.. tallies.Values.OrderByDescending(t => t.Count).ThenBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.FirstSeq)
                .Select(t => new ApproverCountDto(t.ActorId, t.Name, t.Count))];
        }

        /// <summary>The key holding the <paramref name="rank"/>-th item (from 1) of counts in key order, and how many come before it.</summary>
        private static (long Key, long Before) Walk(SortedDictionary<long, long> counts, long rank)
        {
            long before = 0, last = 0;
            foreach (var (key, count) in counts)
            {
                if (before + count >= rank) return (key, before);
                (before, last) = (before + count, key);
            }
            // Read in one snapshot, the counts add up to the total the rank came from; were a stored count ever off, the
            // figure is the nearest there is rather than a failed read.
            return (last, before);
        }

        /// <summary>Rows of <c>insight_proposals</c>: {0} the end, {1} the start (the period's unless given), and the board when there is one.</summary>
        public Task RowsAsync(string sql, Action<DbDataReader> row, CancellationToken ct, long? fromMs = null, long? toMs = null) =>
            BoardId is { } board
                ? ReadAsync(sql + " AND \"BoardId\" = {2}", [toMs ?? ToMs, fromMs ?? FromMs, board], row, ct)
                : ReadAsync(sql, [toMs ?? ToMs, fromMs ?? FromMs], row, ct);

        /// <summary>Through EF Core's own raw-SQL command (its parameters, connection, transaction, logging and interceptors), read off the reader.</summary>
        private async Task ReadAsync(string sql, object[] parameters, Action<DbDataReader> row, CancellationToken ct)
        {
            var command = Db.GetService<IRawSqlCommandBuilder>().Build(sql, parameters);
            await using var reader = await command.RelationalCommand.ExecuteReaderAsync(new RelationalCommandParameterObject(
                Db.GetService<IRelationalConnection>(), command.ParameterValues, null, Db, Db.GetService<IRelationalCommandDiagnosticsLogger>()), ct);
            while (await reader.ReadAsync(ct)) row(reader.DbDataReader);
        }
    }

    private sealed class Tally(Guid? actorId, string name, long seq, long at)
    {
        public Guid? ActorId { get; } = actorId;
        public int Count { get; set; }
        public long FirstSeq { get; set; } = seq;
        public long LastSeq { get; set; } = seq;
        public long LastAt { get; set; } = at;
        public string Name { get; set; } = name;

        public void Add(int count, long firstSeq, long lastSeq, long lastAt, string name)
        {
            Count += count;
            FirstSeq = Math.Min(FirstSeq, firstSeq);
            if (lastAt > LastAt || (lastAt == LastAt && lastSeq > LastSeq)) (LastAt, LastSeq, Name) = (lastAt, lastSeq, name);
        }
    }
}
