using System.Runtime.CompilerServices;
using System.Text.Json;
using Gme.Contracts;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Core.Sources;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

public sealed class IngestDatasetConsumerTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    private static Dictionary<string, string?> Fields(string? id, string name = "Top", string image = "http://img.test/a.jpg") =>
        new() { ["product_id"] = id, ["name"] = name, ["image_url"] = image };

    private static Task<(StageTestContext Ctx, ListSourceFactory Source)> ArrangeAsync(params Dictionary<string, string?>[] rows) =>
        ArrangeAsync(new SourceSpec { Kind = "test" }, rows);

    private static async Task<(StageTestContext Ctx, ListSourceFactory Source)> ArrangeAsync(SourceSpec spec, params Dictionary<string, string?>[] rows)
    {
        var source = new ListSourceFactory(rows);
        var ctx = await StageTestContext.CreateAsync(
            x => x.AddConsumer<IngestDatasetConsumer>(),
            s =>
            {
                s.AddSingleton<IDatasetSourceFactory>(source);
                s.AddScoped<ProductChunkWriter>();
            });
        await using var db = ctx.Db();
        var run = LedgerSeed.Run(s_run, ingestDone: false);
        run.SourceJson = JsonSerializer.Serialize(spec);
        db.Runs.Add(run);
        await db.SaveChangesAsync();
        return (ctx, source);
    }

    [Fact]
    public async Task Consume_RowsWithBadAndDuplicateIds_StoresChunksAndRecordsRejections()
    {
        var (ctx, _) = await ArrangeAsync(
            Fields("A"), Fields("B"), Fields(null), Fields("C"), Fields("A", "Other"),
            Fields("D"), Fields("E", image: "file://etc/passwd"), Fields("F"), Fields("G"));
        await using (ctx)
        {
            await ctx.Harness.Bus.Publish(new RunStarted { RunId = s_run });
            Assert.True(await ctx.Harness.Published.Any<DatasetIngested>());

            var chunks = ctx.Harness.Published.Select<ProductsIngested>().Select(m => m.Context.Message).OrderBy(m => m.ChunkNumber).ToList();
            Assert.Equal(["A", "B", "C", "D", "F", "G"], chunks.SelectMany(c => c.ProductIds));
            Assert.All(chunks, c => Assert.True(c.ProductIds.Count <= 4));
            var done = ctx.Harness.Published.Select<DatasetIngested>().Single().Context.Message;
            Assert.Equal(6, done.Accepted);
            Assert.Equal(3, done.Rejected);

            await using var db = ctx.Db();
            var rejected = await db.RejectedRows.OrderBy(r => r.RowNumber).ToListAsync();
            Assert.Equal([3L, 5L, 7L], rejected.Select(r => r.RowNumber));
            Assert.Equal("duplicate product id (first seen at row 1)", rejected[1].Reason);
            Assert.Equal("Top", (await db.Products.SingleAsync(p => p.Id == "A")).Name);
            Assert.NotNull((await db.Runs.SingleAsync()).IngestCompletedAt);
        }
    }

    [Fact]
    public async Task Consume_EveryRowRejected_FailsAsBadInputSayingZeroProducts()
    {
        var (ctx, _) = await ArrangeAsync(Fields(null), Fields(null));
        await using (ctx)
        {
            await ctx.Harness.Bus.Publish(new RunStarted { RunId = s_run });

            Assert.True(await ctx.Harness.Published.Any<Fault<RunStarted>>());
            var fault = ctx.Harness.Published.Select<Fault<RunStarted>>().Single().Context.Message;
            var exception = Assert.Single(fault.Exceptions);
            Assert.Equal(typeof(BadInputException).FullName, exception.ExceptionType);
            Assert.Equal("list: all 2 rows were rejected, 0 products (first: row 1: missing product id)", exception.Message);
            Assert.False(await ctx.Harness.Published.Any<DatasetIngested>());
        }
    }

    [Fact]
    public async Task Consume_MapNamesAMissingColumn_FailsNamingTheColumnAndListingTheColumns()
    {
        var spec = new SourceSpec { Kind = "test", ColumnMap = new Dictionary<string, string> { ["id"] = "nope" } };
        var (ctx, _) = await ArrangeAsync(spec, Fields("A"), Fields("B"));
        await using (ctx)
        {
            await ctx.Harness.Bus.Publish(new RunStarted { RunId = s_run });

            Assert.True(await ctx.Harness.Published.Any<Fault<RunStarted>>());
            var exception = Assert.Single(ctx.Harness.Published.Select<Fault<RunStarted>>().Single().Context.Message.Exceptions);
            Assert.Equal("--map: id=nope: list has no column 'nope'; its columns are image_url, name, product_id", exception.Message);
        }
    }

    [Fact]
    public async Task Consume_RejectedShareAboveTheThreshold_FailsAsBadInput()
    {
        var (ctx, _) = await ArrangeAsync(Fields("A"), Fields(null), Fields(null));
        await using (ctx)
        {
            await ctx.Harness.Bus.Publish(new RunStarted { RunId = s_run });

            Assert.True(await ctx.Harness.Published.Any<Fault<RunStarted>>());
            var exception = Assert.Single(ctx.Harness.Published.Select<Fault<RunStarted>>().Single().Context.Message.Exceptions);
            Assert.StartsWith("list: 2 of 3 rows were rejected (66.7 %), more than the 50 % allowed", exception.Message);
        }
    }

    [Fact]
    public async Task Consume_Reingest_KeepsUnchangedProgressAndRestartsChangedOrFailed()
    {
        var (ctx, source) = await ArrangeAsync(Fields("A"), Fields("B"), Fields("C"));
        await using (ctx)
        {
            await ctx.Harness.Bus.Publish(new RunStarted { RunId = s_run });
            Assert.True(await ctx.Harness.Published.Any<DatasetIngested>());
            await using (var db = ctx.Db())
            {
                // Arranged in bulk: the product's own methods would refuse to skip stages.
                await db.Products.ExecuteUpdateAsync(u => u.SetProperty(p => p.Stage, ProductStage.Indexed).SetProperty(p => p.VectorFileId, "vf"));
                await db.Products.Where(p => p.Id == "B")
                    .ExecuteUpdateAsync(u => u.SetProperty(p => p.Failed, true).SetProperty(p => p.LastError, "image: http_503"));
            }

            source.Rows[2] = Fields("C", "Renamed top");
            await ctx.Harness.Bus.Publish(new RunStarted { RunId = s_run });
            await Eventually.TrueAsync(() => ctx.Harness.Published.Select<DatasetIngested>().Count() == 2, "the re-ingest to be announced");

            await using var check = ctx.Db();
            var products = await check.Products.ToDictionaryAsync(p => p.Id);
            Assert.Equal(ProductStage.Indexed, products["A"].Stage);
            Assert.Equal("vf", products["A"].VectorFileId);
            Assert.False(products["B"].Failed);
            Assert.Null(products["B"].LastError);
            Assert.Equal(ProductStage.Ingested, products["C"].Stage);
            Assert.Null(products["C"].VectorFileId);
            Assert.Equal("Renamed top", products["C"].Name);
            Assert.Equal(0, await check.RejectedRows.CountAsync());
        }
    }

    private sealed class ListSourceFactory(Dictionary<string, string?>[] rows) : IDatasetSourceFactory, IDatasetSource
    {
        public Dictionary<string, string?>[] Rows { get; } = rows;
        public string Description => "list";
        public string? BaseDirectory => null;

        public IDatasetSource Open(SourceSpec spec) => this;

        public async IAsyncEnumerable<SourceRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < Rows.Length; i++)
            {
                await Task.Yield();
                yield return new SourceRow(i + 1, Rows[i]);
            }
        }
    }
}
