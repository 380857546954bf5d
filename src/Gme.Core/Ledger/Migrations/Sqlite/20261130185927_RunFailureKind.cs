using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gme.Core.Ledger.Migrations.Sqlite
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
                type: "INTEGER",
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
