using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Board.Web.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InsightsSummary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "insight_approver_days",
                columns: table => new
                {
                    Day = table.Column<long>(type: "bigint", nullable: false),
                    BoardId = table.Column<Guid>(type: "uuid", nullable: false),
                    ActorKey = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    ActorId = table.Column<Guid>(type: "uuid", nullable: true),
                    Approvals = table.Column<int>(type: "integer", nullable: false),
                    FirstSeq = table.Column<long>(type: "bigint", nullable: false),
                    LastSeq = table.Column<long>(type: "bigint", nullable: false),
                    LastAt = table.Column<long>(type: "bigint", nullable: false),
                    LastName = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_approver_days", x => new { x.Day, x.BoardId, x.ActorKey });
                });

            migrationBuilder.CreateTable(
                name: "insight_proposals",
                columns: table => new
                {
                    ProposalId = table.Column<Guid>(type: "uuid", nullable: false),
                    BoardId = table.Column<Guid>(type: "uuid", nullable: true),
                    PostedAt = table.Column<long>(type: "bigint", nullable: true),
                    ExecutedAt = table.Column<long>(type: "bigint", nullable: true),
                    DoneAt = table.Column<long>(type: "bigint", nullable: true),
                    WithdrawnAt = table.Column<long>(type: "bigint", nullable: true),
                    ExpiredAt = table.Column<long>(type: "bigint", nullable: true),
                    ClosedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_proposals", x => x.ProposalId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_proposals_AuthorId_PostedAt_Id",
                table: "proposals",
                columns: new[] { "AuthorId", "PostedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_proposals_Status_PostedAt_Id",
                table: "proposals",
                columns: new[] { "Status", "PostedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_entries_approvals_At",
                table: "audit_entries",
                columns: new[] { "Action", "At" },
                filter: "\"Action\" = 'approval.added'");

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_ClosedAt_PostedAt",
                table: "insight_proposals",
                columns: new[] { "ClosedAt", "PostedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_DoneAt",
                table: "insight_proposals",
                column: "DoneAt");

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_ExecutedAt",
                table: "insight_proposals",
                column: "ExecutedAt");

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_ExpiredAt",
                table: "insight_proposals",
                column: "ExpiredAt");

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_WithdrawnAt",
                table: "insight_proposals",
                column: "WithdrawnAt");

            // After the tables: fill them from the trail so far, then keep them with every entry from now on.
            migrationBuilder.Sql(InsightsSummarySql.Backfill);
            migrationBuilder.Sql(InsightsSummarySql.Trigger);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(InsightsSummarySql.DropTrigger);

            migrationBuilder.DropTable(
                name: "insight_approver_days");

            migrationBuilder.DropTable(
                name: "insight_proposals");

            migrationBuilder.DropIndex(
                name: "IX_proposals_AuthorId_PostedAt_Id",
                table: "proposals");

            migrationBuilder.DropIndex(
                name: "IX_proposals_Status_PostedAt_Id",
                table: "proposals");

            migrationBuilder.DropIndex(
                name: "IX_audit_entries_approvals_At",
                table: "audit_entries");
        }
    }
}
