using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gme.Core.Ledger.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RunFailureKindColumn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "FailureKind",
                table: "runs",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FailureKind",
                table: "runs");
        }
    }
}
