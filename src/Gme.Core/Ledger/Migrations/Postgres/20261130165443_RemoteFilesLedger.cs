using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gme.Core.Ledger.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RemoteFilesLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Resubmits",
                table: "shards",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "remote_files",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ShardId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Bytes = table.Column<long>(type: "bigint", nullable: true),
                    RecordedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    DeletedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_remote_files", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_remote_files_DeletedAt",
                table: "remote_files",
                column: "DeletedAt");

            migrationBuilder.CreateIndex(
                name: "IX_remote_files_ShardId_DeletedAt",
                table: "remote_files",
                columns: new[] { "ShardId", "DeletedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "remote_files");

            migrationBuilder.DropColumn(
                name: "Resubmits",
                table: "shards");
        }
    }
}
