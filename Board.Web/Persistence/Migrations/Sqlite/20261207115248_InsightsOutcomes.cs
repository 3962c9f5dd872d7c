using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Board.Web.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InsightsOutcomes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "insight_outcome_classes",
                columns: table => new
                {
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Scope = table.Column<int>(type: "INTEGER", nullable: false),
                    BoardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Coarse = table.Column<long>(type: "INTEGER", nullable: false),
                    Day = table.Column<long>(type: "INTEGER", nullable: false),
                    Class = table.Column<long>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_outcome_classes", x => new { x.Kind, x.Scope, x.BoardId, x.Coarse, x.Day, x.Class });
                });

            migrationBuilder.CreateTable(
                name: "insight_outcome_days",
                columns: table => new
                {
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Scope = table.Column<int>(type: "INTEGER", nullable: false),
                    BoardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<long>(type: "INTEGER", nullable: false),
                    Coarse = table.Column<long>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_outcome_days", x => new { x.Kind, x.Scope, x.BoardId, x.Day, x.Coarse });
                });

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_done_early",
                table: "insight_proposals",
                columns: new[] { "DoneAt", "ExecutedAt" },
                filter: "\"DoneAt\" < \"ExecutedAt\"");

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_executed_early",
                table: "insight_proposals",
                columns: new[] { "ExecutedAt", "PostedAt" },
                filter: "\"ExecutedAt\" < \"PostedAt\"");

            // Filled from the summary already there, then kept by triggers (InsightsOutcomesSql).
            migrationBuilder.Sql(InsightsOutcomesSql.Backfill(postgres: false));
            migrationBuilder.Sql(InsightsOutcomesSql.Triggers(postgres: false));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(InsightsOutcomesSql.DropTriggers(postgres: false));

            migrationBuilder.DropTable(
                name: "insight_outcome_classes");

            migrationBuilder.DropTable(
                name: "insight_outcome_days");

            migrationBuilder.DropIndex(
                name: "IX_insight_proposals_done_early",
                table: "insight_proposals");

            migrationBuilder.DropIndex(
                name: "IX_insight_proposals_executed_early",
                table: "insight_proposals");
        }
    }
}
