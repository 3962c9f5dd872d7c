namespace Board.Web.Persistence.Migrations.Postgres;

/// <summary>
/// The Insights summary (insight_proposals, insight_approver_days) kept by the database itself: filled once from the
/// trail already there, then extended by a row trigger with every entry inserted, in that entry's transaction —
/// whoever writes it, and with no extra command inside the write lock. The same rules as the SQLite migration's.
/// </summary>
internal static class InsightsSummarySql
{
    private const string NoBoard = "'00000000-0000-0000-0000-000000000000'::uuid";

    public const string Backfill = $"""
        INSERT INTO insight_proposals ("ProposalId", "BoardId", "PostedAt", "ExecutedAt", "DoneAt", "WithdrawnAt", "ExpiredAt", "ClosedAt")
        SELECT "ProposalId", (array_agg("BoardId" ORDER BY "Seq") FILTER (WHERE "BoardId" IS NOT NULL))[1],
          MIN(CASE "Action" WHEN 'proposal.posted' THEN "At" END),
          MIN(CASE "Action" WHEN 'proposal.executed' THEN "At" END),
          MIN(CASE "Action" WHEN 'proposal.completed' THEN "At" END),
          MIN(CASE "Action" WHEN 'proposal.withdrawn' THEN "At" END),
          MIN(CASE "Action" WHEN 'proposal.expired' THEN "At" END),
          MIN(CASE WHEN "Action" IN ('proposal.executed', 'proposal.withdrawn', 'proposal.expired') THEN "At" END)
        FROM audit_entries
        WHERE "ProposalId" IS NOT NULL
          AND "Action" IN ('proposal.posted', 'proposal.executed', 'proposal.completed', 'proposal.withdrawn', 'proposal.expired')
        GROUP BY "ProposalId";

        INSERT INTO insight_approver_days ("Day", "BoardId", "ActorKey", "ActorId", "Approvals", "FirstSeq", "LastSeq", "LastAt", "LastName")
        SELECT "Day", "BoardId", "ActorKey", "ActorId", "Approvals", "FirstSeq", "Seq", "At", "ActorName"
        FROM (
          SELECT "At" / 86400000 AS "Day", COALESCE("BoardId", {NoBoard}) AS "BoardId",
            COALESCE("ActorId"::text, "ActorName") AS "ActorKey", "ActorId", "Seq", "At", "ActorName",
            COUNT(*) OVER w AS "Approvals", MIN("Seq") OVER w AS "FirstSeq",
            ROW_NUMBER() OVER (w ORDER BY "At" DESC, "Seq" DESC) AS "Rank"
          FROM audit_entries
          WHERE "Action" = 'approval.added' AND "ProposalId" IS NOT NULL
          WINDOW w AS (PARTITION BY "At" / 86400000, COALESCE("BoardId", {NoBoard}), COALESCE("ActorId"::text, "ActorName"))) AS a
        WHERE "Rank" = 1;
        """;

    public const string Trigger = $$"""
        CREATE FUNCTION audit_entries_insights() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW."Action" = 'approval.added' THEN
            INSERT INTO insight_approver_days AS d ("Day", "BoardId", "ActorKey", "ActorId", "Approvals", "FirstSeq", "LastSeq", "LastAt", "LastName")
            VALUES (NEW."At" / 86400000, COALESCE(NEW."BoardId", {{NoBoard}}), COALESCE(NEW."ActorId"::text, NEW."ActorName"),
              NEW."ActorId", 1, NEW."Seq", NEW."Seq", NEW."At", NEW."ActorName")
            ON CONFLICT ("Day", "BoardId", "ActorKey") DO UPDATE SET
              "Approvals" = d."Approvals" + 1,
              "FirstSeq" = LEAST(d."FirstSeq", EXCLUDED."FirstSeq"),
              "LastName" = CASE WHEN (EXCLUDED."LastAt", EXCLUDED."LastSeq") > (d."LastAt", d."LastSeq") THEN EXCLUDED."LastName" ELSE d."LastName" END,
              "LastSeq" = CASE WHEN (EXCLUDED."LastAt", EXCLUDED."LastSeq") > (d."LastAt", d."LastSeq") THEN EXCLUDED."LastSeq" ELSE d."LastSeq" END,
              "LastAt" = GREATEST(d."LastAt", EXCLUDED."LastAt");
          ELSIF NEW."Action" IN ('proposal.posted', 'proposal.executed', 'proposal.completed', 'proposal.withdrawn', 'proposal.expired') THEN
            INSERT INTO insight_proposals AS p ("ProposalId", "BoardId", "PostedAt", "ExecutedAt", "DoneAt", "WithdrawnAt", "ExpiredAt", "ClosedAt")
            VALUES (NEW."ProposalId", NEW."BoardId",
              CASE NEW."Action" WHEN 'proposal.posted' THEN NEW."At" END,
              CASE NEW."Action" WHEN 'proposal.executed' THEN NEW."At" END,
              CASE NEW."Action" WHEN 'proposal.completed' THEN NEW."At" END,
              CASE NEW."Action" WHEN 'proposal.withdrawn' THEN NEW."At" END,
              CASE NEW."Action" WHEN 'proposal.expired' THEN NEW."At" END,
              CASE WHEN NEW."Action" IN ('proposal.executed', 'proposal.withdrawn', 'proposal.expired') THEN NEW."At" END)
            ON CONFLICT ("ProposalId") DO UPDATE SET
              "BoardId" = COALESCE(p."BoardId", EXCLUDED."BoardId"),
              "PostedAt" = LEAST(p."PostedAt", EXCLUDED."PostedAt"),
              "ExecutedAt" = LEAST(p."ExecutedAt", EXCLUDED."ExecutedAt"),
              "DoneAt" = LEAST(p."DoneAt", EXCLUDED."DoneAt"),
              "WithdrawnAt" = LEAST(p."WithdrawnAt", EXCLUDED."WithdrawnAt"),
              "ExpiredAt" = LEAST(p."ExpiredAt", EXCLUDED."ExpiredAt"),
              "ClosedAt" = LEAST(p."ClosedAt", EXCLUDED."ClosedAt");
          END IF;
          RETURN NULL;
        END $$;

        CREATE TRIGGER audit_entries_insights AFTER INSERT ON audit_entries
        FOR EACH ROW WHEN (NEW."ProposalId" IS NOT NULL) EXECUTE FUNCTION audit_entries_insights();
        """;

    public const string DropTrigger = """
        DROP TRIGGER IF EXISTS audit_entries_insights ON audit_entries;
        DROP FUNCTION IF EXISTS audit_entries_insights();
        """;
}
