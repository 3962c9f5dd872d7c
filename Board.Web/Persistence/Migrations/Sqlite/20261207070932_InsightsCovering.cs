using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Board.Web.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InsightsCovering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_insight_proposals_DoneAt",
                table: "insight_proposals");

            migrationBuilder.DropIndex(
                name: "IX_insight_proposals_ExecutedAt",
                table: "insight_proposals");

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_DoneAt_ExecutedAt",
                table: "insight_proposals",
                columns: new[] { "DoneAt", "ExecutedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_ExecutedAt_PostedAt",
                table: "insight_proposals",
                columns: new[] { "ExecutedAt", "PostedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_insight_proposals_DoneAt_ExecutedAt",
                table: "insight_proposals");

            migrationBuilder.DropIndex(
                name: "IX_insight_proposals_ExecutedAt_PostedAt",
                table: "insight_proposals");

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_DoneAt",
                table: "insight_proposals",
                column: "DoneAt");

            migrationBuilder.CreateIndex(
                name: "IX_insight_proposals_ExecutedAt",
                table: "insight_proposals",
                column: "ExecutedAt");
        }
    }
}
