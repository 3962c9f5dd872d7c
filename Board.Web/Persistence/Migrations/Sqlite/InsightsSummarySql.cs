namespace Board.Web.Persistence.Migrations.Sqlite;

/// <summary>
/// The Insights summary (insight_proposals, insight_approver_days) kept by the database itself: filled once from the
/// trail already there, then extended by a trigger with every entry inserted, in that entry's transaction — whoever
/// writes it, and with no extra command inside the write lock. The same rules as the PostgreSQL migration's.
/// </summary>
internal static class InsightsSummarySql
{
    private const string NoBoard = "'00000000-0000-0000-0000-000000000000'";

    public const string Backfill = $"""
        INSERT INTO insight_proposals ("ProposalId", "BoardId", "PostedAt", "ExecutedAt", "DoneAt", "WithdrawnAt", "ExpiredAt", "ClosedAt")
        SELECT "ProposalId", MIN("BoardId"),
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
            COALESCE(lower("ActorId"), "ActorName") AS "ActorKey", "ActorId", "Seq", "At", "ActorName",
            COUNT(*) OVER w AS "Approvals", MIN("Seq") OVER w AS "FirstSeq",
            ROW_NUMBER() OVER (w ORDER BY "At" DESC, "Seq" DESC) AS "Rank"
          FROM audit_entries
          WHERE "Action" = 'approval.added' AND "ProposalId" IS NOT NULL
          WINDOW w AS (PARTITION BY "At" / 86400000, COALESCE("BoardId", {NoBoard}), COALESCE(lower("ActorId"), "ActorName")))
        WHERE "Rank" = 1;
        """;

    public const string Trigger = $"""
        CREATE TRIGGER audit_entries_insights AFTER INSERT ON audit_entries
        WHEN NEW."ProposalId" IS NOT NULL
        BEGIN
          INSERT INTO insight_proposals ("ProposalId", "BoardId", "PostedAt", "ExecutedAt", "DoneAt", "WithdrawnAt", "ExpiredAt", "ClosedAt")
          SELECT NEW."ProposalId", NEW."BoardId",
            CASE NEW."Action" WHEN 'proposal.posted' THEN NEW."At" END,
            CASE NEW."Action" WHEN 'proposal.executed' THEN NEW."At" END,
            CASE NEW."Action" WHEN 'proposal.completed' THEN NEW."At" END,
            CASE NEW."Action" WHEN 'proposal.withdrawn' THEN NEW."At" END,
            CASE NEW."Action" WHEN 'proposal.expired' THEN NEW."At" END,
            CASE WHEN NEW."Action" IN ('proposal.executed', 'proposal.withdrawn', 'proposal.expired') THEN NEW."At" END
          WHERE NEW."Action" IN ('proposal.posted', 'proposal.executed', 'proposal.completed', 'proposal.withdrawn', 'proposal.expired')
          ON CONFLICT ("ProposalId") DO UPDATE SET
            "BoardId" = COALESCE("BoardId", excluded."BoardId"),
            "PostedAt" = COALESCE(MIN("PostedAt", excluded."PostedAt"), "PostedAt", excluded."PostedAt"),
            "ExecutedAt" = COALESCE(MIN("ExecutedAt", excluded."ExecutedAt"), "ExecutedAt", excluded."ExecutedAt"),
            "DoneAt" = COALESCE(MIN("DoneAt", excluded."DoneAt"), "DoneAt", excluded."DoneAt"),
            "WithdrawnAt" = COALESCE(MIN("WithdrawnAt", excluded."WithdrawnAt"), "WithdrawnAt", excluded."WithdrawnAt"),
            "ExpiredAt" = COALESCE(MIN("ExpiredAt", excluded."ExpiredAt"), "ExpiredAt", excluded."ExpiredAt"),
            "ClosedAt" = COALESCE(MIN("ClosedAt", excluded."ClosedAt"), "ClosedAt", excluded."ClosedAt");

          INSERT INTO insight_approver_days ("Day", "BoardId", "ActorKey", "ActorId", "Approvals", "FirstSeq", "LastSeq", "LastAt", "LastName")
          SELECT NEW."At" / 86400000, COALESCE(NEW."BoardId", {NoBoard}), COALESCE(lower(NEW."ActorId"), NEW."ActorName"),
            NEW."ActorId", 1, NEW."Seq", NEW."Seq", NEW."At", NEW."ActorName"
          WHERE NEW."Action" = 'approval.added'
          ON CONFLICT ("Day", "BoardId", "ActorKey") DO UPDATE SET
            "Approvals" = "Approvals" + 1,
            "FirstSeq" = MIN("FirstSeq", excluded."FirstSeq"),
            "LastName" = CASE WHEN (excluded."LastAt", excluded."LastSeq") > ("LastAt", "LastSeq") THEN excluded."LastName" ELSE "LastName" END,
            "LastSeq" = CASE WHEN (excluded."LastAt", excluded."LastSeq") > ("LastAt", "LastSeq") THEN excluded."LastSeq" ELSE "LastSeq" END,
            "LastAt" = MAX("LastAt", excluded."LastAt");
        END;
        """;

    public const string DropTrigger = "DROP TRIGGER IF EXISTS audit_entries_insights;";
}
