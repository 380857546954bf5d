using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gme.Core.Ledger.Migrations.Postgres
{
    /// <summary>
    /// Issue 13, named catalogues: products are keyed by (collection, id), so the same id in two catalogues is two
    /// products; a local photo's byte hash and file stamp let a sync see a photo rewritten at the same path.
    /// </summary>
    public partial class CatalogueCollections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_products",
                table: "products");

            migrationBuilder.AddColumn<string>(
                name: "Collection",
                table: "products",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PhotoSha256",
                table: "products",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PhotoStamp",
                table: "products",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_products",
                table: "products",
                columns: new[] { "Collection", "Id" });

            // Existing products stay in the catalogue they were indexed in: the collection of the last run that read them
            // (before catalogues were keyed apart, an id belonged to one collection only).
            migrationBuilder.Sql(
                "UPDATE products SET \"Collection\" = COALESCE((SELECT r.\"Collection\" FROM runs r WHERE r.\"Id\" = products.\"LastRunId\"), 'products')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_products",
                table: "products");

            migrationBuilder.DropColumn(
                name: "Collection",
                table: "products");

            migrationBuilder.DropColumn(
                name: "PhotoSha256",
                table: "products");

            migrationBuilder.DropColumn(
                name: "PhotoStamp",
                table: "products");

            migrationBuilder.AddPrimaryKey(
                name: "PK_products",
                table: "products",
                column: "Id");
        }
    }
}
