using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gme.Core.Ledger.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CollectionVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "collection_versions",
                columns: table => new
                {
                    Collection = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Physical = table.Column<string>(type: "TEXT", maxLength: 280, nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ModelId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    BuildRunId = table.Column<Guid>(type: "TEXT", nullable: true),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LiveAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Points = table.Column<long>(type: "INTEGER", nullable: true),
                    GatePassed = table.Column<bool>(type: "INTEGER", nullable: true),
                    GateSummary = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    Ndcg10 = table.Column<double>(type: "REAL", nullable: true),
                    Precision10 = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_collection_versions", x => new { x.Collection, x.Version });
                });

            migrationBuilder.CreateIndex(
                name: "IX_collection_versions_BuildRunId",
                table: "collection_versions",
                column: "BuildRunId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "collection_versions");
        }
    }
}
