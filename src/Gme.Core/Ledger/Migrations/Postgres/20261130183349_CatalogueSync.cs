using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gme.Core.Ledger.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CatalogueSync : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "LastChange",
                table: "products",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "PurgedAt",
                table: "products",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RemovedInRunId",
                table: "products",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_products_RemovedInRunId_PurgedAt",
                table: "products",
                columns: new[] { "RemovedInRunId", "PurgedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_products_RemovedInRunId_PurgedAt",
                table: "products");

            migrationBuilder.DropColumn(
                name: "LastChange",
                table: "products");

            migrationBuilder.DropColumn(
                name: "PurgedAt",
                table: "products");

            migrationBuilder.DropColumn(
                name: "RemovedInRunId",
                table: "products");
        }
    }
}
