#nullable enable

namespace Board.Web.Persistence.Migrations;

/// <summary>
/// The outcome summary (<c>insight_outcome_days</c>, <c>insight_outcome_classes</c>) kept by the database itself from
/// <c>insight_proposals</c>: filled once from what is there, then moved by triggers whenever a proposal's outcome time,
/// the time it counts from, or its board changes — the old key counted down, the new one up, in that write's
/// transaction. The classes are those of <c>Board.Web.Insights.OutcomeTimes</c>, written out here as this migration
/// made them (a migration stays as it ran; changing the classes takes a new one that refills these tables;
/// InsightsSummaryTests compare the figures read through both with the trail's own). Both databases run the same
/// statements; only the trigger wrapping and null-safe comparison differ.
/// </summary>
internal static class InsightsOutcomesSql
{
    private const long DayMs = 86_400_000;

    private sealed record Kind(int Id, string Column, string? Start);

    private static readonly Kind[] Kinds = [new(1, "ExecutedAt", "PostedAt"), new(2, "DoneAt", "ExecutedAt"), new(3, "WithdrawnAt", null), new(4, "ExpiredAt", null)];

    /// <summary>A duration's class: -2 untimed, -1 before its start, 2k exactly k × 18 s, 2k + 1 strictly between k × 18 s and (k + 1) × 18 s.</summary>
    private static string ClassSql(string at, string? start) => start is null ? "-2" :
        $"CASE WHEN {start} IS NULL THEN -2 WHEN {at} < {start} THEN -1 " +
        $"ELSE 2 * (({at} - {start}) / 18000) + CASE WHEN ({at} - {start}) % 18000 = 0 THEN 0 ELSE 1 END END";

    /// <summary>A class's coarse range: hourly (200 classes) up to 48 h, daily (4,800) beyond; negative classes are their own.</summary>
    private static string CoarseSql(string @class) =>
        $"CASE WHEN ({@class}) < 0 THEN ({@class}) WHEN ({@class}) < 9600 THEN ({@class}) / 200 ELSE 48 + (({@class}) - 9600) / 4800 END";

    private sealed record Dialect(bool Postgres)
    {
        public string NoBoard => Postgres ? "'00000000-0000-0000-0000-000000000000'::uuid" : "'00000000-0000-0000-0000-000000000000'";
        public string Differs(string a, string b) => Postgres ? $"{a} IS DISTINCT FROM {b}" : $"{a} IS NOT {b}";

        /// <summary>The upsert's table and its count as the row already stored has it (SQLite takes no alias in a trigger).</summary>
        public string Into(string table) => Postgres ? $"{table} AS o" : table;

        public string Stored => Postgres ? "o.\"Count\"" : "\"Count\"";
    }

    public static string Backfill(bool postgres)
    {
        var d = new Dialect(postgres);
        var sql = new List<string>();
        foreach (var kind in Kinds)
        {
            var at = $"\"{kind.Column}\"";
            var @class = ClassSql(at, kind.Start is null ? null : $"\"{kind.Start}\"");
            foreach (var scope in new[] { 0, 1 })
            {
                var board = scope == 0 ? d.NoBoard : $"COALESCE(\"BoardId\", {d.NoBoard})";
                sql.Add($"""
                    INSERT INTO insight_outcome_days ("Kind", "Scope", "BoardId", "Day", "Coarse", "Count")
                    SELECT {kind.Id}, {scope}, "B", "D", "C", COUNT(*) FROM (
                      SELECT {board} AS "B", {at} / {DayMs} AS "D", {CoarseSql(@class)} AS "C"
                      FROM insight_proposals WHERE {at} IS NOT NULL AND {at} >= 0) AS x
                    GROUP BY "B", "D", "C";
                    """);
                if (kind.Start is null) continue;
                sql.Add($"""
                    INSERT INTO insight_outcome_classes ("Kind", "Scope", "BoardId", "Coarse", "Day", "Class", "Count")
                    SELECT {kind.Id}, {scope}, "B", "C", "D", "K", COUNT(*) FROM (
                      SELECT {board} AS "B", {at} / {DayMs} AS "D", {CoarseSql(@class)} AS "C", {@class} AS "K"
                      FROM insight_proposals WHERE {at} IS NOT NULL AND {at} >= 0) AS x
                    WHERE "K" >= 0
                    GROUP BY "B", "C", "D", "K";
                    """);
            }
        }
        return string.Join("\n", sql);
    }

    /// <summary>The statements that count the row <paramref name="row"/> (NEW or OLD) up (+1) or down (-1) when <paramref name="changed"/>.</summary>
    private static IEnumerable<string> Move(Dialect d, string row, int by, string changed)
    {
        foreach (var kind in Kinds)
        {
            var at = $"{row}.\"{kind.Column}\"";
            var @class = ClassSql(at, kind.Start is null ? null : $"{row}.\"{kind.Start}\"");
            var coarse = CoarseSql(@class);
            var kindChanged = changed == "" ? "" : " AND (" + string.Join(" OR ", new[] { kind.Column, kind.Start, "BoardId" }.OfType<string>()
                .Select(c => d.Differs($"OLD.\"{c}\"", $"NEW.\"{c}\""))) + ")";
            var present = $"{at} IS NOT NULL AND {at} >= 0{kindChanged}";
            foreach (var scope in new[] { 0, 1 })
            {
                var board = scope == 0 ? d.NoBoard : $"COALESCE({row}.\"BoardId\", {d.NoBoard})";
                if (by > 0)
                {
                    yield return $"""
                        INSERT INTO {d.Into("insight_outcome_days")} ("Kind", "Scope", "BoardId", "Day", "Coarse", "Count")
                        SELECT {kind.Id}, {scope}, {board}, {at} / {DayMs}, {coarse}, 1 WHERE {present}
                        ON CONFLICT ("Kind", "Scope", "BoardId", "Day", "Coarse") DO UPDATE SET "Count" = {d.Stored} + 1;
                        """;
                    if (kind.Start is not null)
                        yield return $"""
                            INSERT INTO {d.Into("insight_outcome_classes")} ("Kind", "Scope", "BoardId", "Coarse", "Day", "Class", "Count")
                            SELECT {kind.Id}, {scope}, {board}, {coarse}, {at} / {DayMs}, {@class}, 1 WHERE {present} AND {@class} >= 0
                            ON CONFLICT ("Kind", "Scope", "BoardId", "Coarse", "Day", "Class") DO UPDATE SET "Count" = {d.Stored} + 1;
                            """;
                }
                else
                {
                    yield return $"""
                        UPDATE insight_outcome_days SET "Count" = "Count" - 1
                        WHERE "Kind" = {kind.Id} AND "Scope" = {scope} AND "BoardId" = {board} AND "Day" = {at} / {DayMs} AND "Coarse" = {coarse}
                          AND {present};
                        """;
                    if (kind.Start is not null)
                        yield return $"""
                            UPDATE insight_outcome_classes SET "Count" = "Count" - 1
                            WHERE "Kind" = {kind.Id} AND "Scope" = {scope} AND "BoardId" = {board} AND "Coarse" = {coarse} AND "Day" = {at} / {DayMs}
                              AND "Class" = {@class} AND {present} AND {@class} >= 0;
                            """;
                }
            }
        }
    }

    public static string Triggers(bool postgres)
    {
        var d = new Dialect(postgres);
        var onInsert = string.Join("\n", Move(d, "NEW", +1, ""));
        var onUpdate = string.Join("\n", Move(d, "OLD", -1, "changed").Concat(Move(d, "NEW", +1, "changed")));
        if (!postgres)
            return $"""
                CREATE TRIGGER insight_proposals_outcomes_insert AFTER INSERT ON insight_proposals
                BEGIN
                {onInsert}
                END;

                CREATE TRIGGER insight_proposals_outcomes_update AFTER UPDATE ON insight_proposals
                BEGIN
                {onUpdate}
                END;
                """;
        return $$"""
            CREATE FUNCTION insight_proposals_outcomes() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
            {{onInsert}}
              ELSE
            {{onUpdate}}
              END IF;
              RETURN NULL;
            END $$;

            CREATE TRIGGER insight_proposals_outcomes AFTER INSERT OR UPDATE ON insight_proposals
            FOR EACH ROW EXECUTE FUNCTION insight_proposals_outcomes();
            """;
    }

    public static string DropTriggers(bool postgres) => postgres
        ? """
          DROP TRIGGER IF EXISTS insight_proposals_outcomes ON insight_proposals;
          DROP FUNCTION IF EXISTS insight_proposals_outcomes();
          """
        : """
          DROP TRIGGER IF EXISTS insight_proposals_outcomes_insert;
          DROP TRIGGER IF EXISTS insight_proposals_outcomes_update;
          """;
}
