using Gme.Cli.Hosting;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Gme.Tests.Sync;

/// <summary>
/// Issue 13 item 2: which catalogue a run writes when none is named (the source's name; `products` for the sample and
/// for a source the data dir already indexed as `products`), which one the query commands read (the latest run's), and
/// the ledger migration that gives existing products the collection they were indexed in.
/// </summary>
public sealed class CatalogueNamesTests
{
    [Theory]
    [InlineData("/data/catalogue.csv", "catalogue")]
    [InlineData("/data/catalogue-2026-11-30.csv", "catalogue")]
    [InlineData("/data/snapshot-1.csv", "snapshot")]
    [InlineData("/data/products.csv", "products")]
    [InlineData("/data/H&M sample (v2).parquet", "H-M-sample-v2")]
    [InlineData("/data/a__b..c.jsonl", "a_b-c")]
    [InlineData("/data/20261130.csv", "20261130")]
    [InlineData("/data/____.csv", "products")]
    public void FromSource_File_IsTheStemWithoutADateCutToTheNameRule(string path, string expected)
    {
        var name = CatalogueNames.FromSource(new SourceSpec { Kind = "file", Location = path });
        Assert.Equal(expected, name);
        Assert.True(Gme.Core.GmeOptions.IsValidCollectionName(name));
        Assert.DoesNotContain("__", name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("owner/fashion.items", "fashion-items")]
    [InlineData("owner/hm-products@abc123:train", "hm-products")]
    [InlineData("hm:validation", "hm")]
    public void FromSource_HuggingFace_IsTheDatasetName(string location, string expected) =>
        Assert.Equal(expected, CatalogueNames.FromSource(new SourceSpec { Kind = "hf", Location = location }));

    [Fact]
    public void FromSource_SampleAndLongNames()
    {
        Assert.Equal("products", CatalogueNames.FromSource(new SourceSpec { Kind = "sample", SampleProducts = 10 }));
        var name = CatalogueNames.FromSource(new SourceSpec { Kind = "file", Location = "/d/" + new string('x', 100) + ".csv" });
        Assert.Equal(64, name.Length);
    }

    [Fact]
    public async Task CliDefaults_ADataDirThatIndexedTheSourceAsProducts_KeepsUsingProducts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var data = dir.File("data");
        Directory.CreateDirectory(data);
        var common = new CommonOptions(data, Verbose: false);
        var catalogue = new SourceSpec { Kind = "file", Location = dir.File("catalogue.csv") };
        var other = new SourceSpec { Kind = "file", Location = dir.File("other.csv") };

        // No ledger yet: the source's name, and the default for queries.
        Assert.Equal("catalogue", CollectionDefaults.ForRun(common, catalogue).Collection);
        Assert.Null(CollectionDefaults.ForQuery(common).Collection);

        await using (var db = Ledger(common.LedgerFile))
        {
            await db.Database.MigrateAsync(ct);
            // Indexed as 'products' before collections were named after their source (the same file, another limit).
            db.Runs.Add(RunEntity.Start(Guid.NewGuid(), System.Text.Json.JsonSerializer.Serialize(catalogue with { Limit = 5 }), "old", "local",
                "m", "products", DateTime.UtcNow.AddHours(-2)));
            db.Runs.Add(RunEntity.Start(Guid.NewGuid(), System.Text.Json.JsonSerializer.Serialize(other), "new", "local",
                "m", "other", DateTime.UtcNow.AddHours(-1)));
            await db.SaveChangesAsync(ct);
        }

        Assert.Equal("products", CollectionDefaults.ForRun(common, catalogue).Collection);
        Assert.Equal("other", CollectionDefaults.ForRun(common, other).Collection);
        Assert.Equal("third", CollectionDefaults.ForRun(common, catalogue with { Location = dir.File("third.csv") }).Collection);
        // Named, the name wins.
        Assert.Equal("mine", CollectionDefaults.ForRun(common with { Collection = "mine" }, catalogue).Collection);

        // Queries read the latest run's catalogue.
        Assert.Equal("other", CollectionDefaults.ForQuery(common).Collection);
        Assert.Equal("products", CollectionDefaults.ForQuery(common with { Collection = "products" }).Collection);
    }

    [Fact]
    public async Task Migration_ExistingProducts_GetTheCollectionTheyWereIndexedIn()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        await using var db = Ledger(dir.File("ledger.db"));
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        var before = migrations[migrations.FindIndex(m => m.EndsWith("_CatalogueCollections", StringComparison.Ordinal)) - 1];
        await migrator.MigrateAsync(before, ct);

        Guid hmRun = Guid.NewGuid(), sampleRun = Guid.NewGuid();
        const string EmptyJson = "{}";
        foreach (var (run, collection) in new[] { (hmRun, "hm"), (sampleRun, "products") })
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO runs ("Id", "SourceJson", "SourceDescription", "Provider", "ModelId", "Collection", "Status", "CreatedAt", "UpdatedAt",
                    "RowsAccepted", "RowsRejected", "Version")
                VALUES ({run.ToString().ToUpperInvariant()}, {EmptyJson}, 'd', 'local', 'm', {collection}, 0, {DateTime.UtcNow}, {DateTime.UtcNow}, 0, 0, 0)
                """, ct);
        }

        foreach (var (id, run) in new[] { ("A", hmRun), ("B", hmRun), ("S1", sampleRun), ("orphan", Guid.NewGuid()) })
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO products ("Id", "LastRunId", "RowNumber", "ContentHash", "PayloadJson", "Name", "Text", "ImageRef", "Stage", "Failed",
                    "Attempts", "UpdatedAt")
                VALUES ({id}, {run.ToString().ToUpperInvariant()}, 1, 'h', {EmptyJson}, 'n', 't', '/i.jpg', 4, 0, 0, {DateTime.UtcNow})
                """, ct);
        }

        await db.Database.MigrateAsync(ct);

        var products = await db.Products.AsNoTracking().ToDictionaryAsync(p => p.Id, p => (p.Collection, p.Stage), ct);
        Assert.Equal(("hm", ProductStage.Indexed), products["A"]);
        Assert.Equal(("hm", ProductStage.Indexed), products["B"]);
        Assert.Equal(("products", ProductStage.Indexed), products["S1"]);
        Assert.Equal(("products", ProductStage.Indexed), products["orphan"]);

        // The key is (collection, id) now: the same id in another catalogue is another row.
        db.Products.Add(new ProductEntity
        {
            Collection = "products", Id = "A", ContentHash = "h", PayloadJson = "{}", Name = "n", Text = "t", ImageRef = "/i.jpg",
        });
        await db.SaveChangesAsync(ct);
        Assert.Equal(2, await db.Products.CountAsync(p => p.Id == "A", ct));
    }

    private static SqliteLedgerDbContext Ledger(string file) =>
        new(new DbContextOptionsBuilder<SqliteLedgerDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options);
}
