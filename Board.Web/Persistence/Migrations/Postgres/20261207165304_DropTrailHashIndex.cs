using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Board.Web.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DropTrailHashIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_audit_entries_Hash",
                table: "audit_entries");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_audit_entries_Hash",
                table: "audit_entries",
                column: "Hash",
                unique: true);
        }
    }
}
