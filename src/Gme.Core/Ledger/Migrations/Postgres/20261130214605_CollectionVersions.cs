using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gme.Core.Ledger.Migrations.Postgres
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
                    Collection = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Physical = table.Column<string>(type: "character varying(280)", maxLength: 280, nullable: false),
                    Provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ModelId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    BuildRunId = table.Column<Guid>(type: "uuid", nullable: true),
                    State = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LiveAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Points = table.Column<long>(type: "bigint", nullable: true),
                    GatePassed = table.Column<bool>(type: "boolean", nullable: true),
                    GateSummary = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    Ndcg10 = table.Column<double>(type: "double precision", nullable: true),
                    Precision10 = table.Column<double>(type: "double precision", nullable: true)
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
