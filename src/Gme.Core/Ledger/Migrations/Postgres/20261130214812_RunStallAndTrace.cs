using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gme.Core.Ledger.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RunStallAndTrace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "StalledService",
                table: "runs",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TraceParent",
                table: "runs",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "StalledService",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "TraceParent",
                table: "runs");
        }
    }
}
