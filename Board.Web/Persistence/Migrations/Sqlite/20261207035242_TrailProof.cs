using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Board.Web.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrailProof : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "trail_checkpoints",
                columns: table => new
                {
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    VerifiedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trail_checkpoints", x => x.Size);
                });

            migrationBuilder.CreateTable(
                name: "trail_nodes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    Hash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trail_nodes", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_trail_checkpoints_CreatedAt",
                table: "trail_checkpoints",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "trail_checkpoints");

            migrationBuilder.DropTable(
                name: "trail_nodes");
        }
    }
}
