using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Gemini;
using Gme.Pipeline.Stages;
using Gme.Tests.Stages;
using Gme.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Gemini;

/// <summary>
/// The fault scenario's 4 batches for 3 shards: a second ShardBuilt of a shard whose submit was still in flight found
/// it Submitting, took that for a crashed submit, and listed, uploaded and created a second batch before the first
/// create had answered. With the submit claim the second delivery leaves: one batches.create per shard.
/// </summary>
public sealed class GeminiSubmitClaimTests
{
    [Fact]
    public async Task SecondShardBuiltWhileTheFirstCreateIsInFlight_OneBatchesCreate()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gemini = await GeminiTestContext.StartAsync();
        var (shardId, path) = await gemini.WriteShardAsync(4, "shard-claim");
        await using var ctx = await StageTestContext.CreateAsync(
            x => x.AddConsumer<SubmitShardConsumer>(),
            services => services.AddSingleton<IEmbeddingProvider>(gemini.Provider));
        var run = Guid.NewGuid();
        await using (var db = ctx.Db())
        {
            db.Runs.Add(LedgerSeed.Run(run));
            db.Shards.Add(new ShardEntity { Id = shardId, RunId = run, Path = path, Items = 4, State = ShardState.Built });
            await db.SaveChangesAsync(ct);
        }

        // Holds every submit between its upload and its batches.create: the first waits there as a slow create would.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var atCreate = 0;
        gemini.Provider.BoundaryHook = async (boundary, _) =>
        {
            if (boundary == SubmitBoundary.AfterUpload)
            {
                Interlocked.Increment(ref atCreate);
                await gate.Task;
            }
        };

        try
        {
            await ctx.Harness.Bus.Publish(new ShardBuilt { RunId = run, ShardId = shardId, Items = 4 }, ct);
            await Eventually.TrueAsync(() => Volatile.Read(ref atCreate) == 1, "the first submit about to create", ct);

            // A second copy with its own message id (a re-announcement, the outbox sweeper): the inbox lets it in.
            // Without the claim it listed no batch yet, reused the upload and went on to create a second one.
            await ctx.Harness.Bus.Publish(new ShardBuilt { RunId = run, ShardId = shardId, Items = 4 }, ct);
            Assert.True(await ctx.Harness.Consumed.Any<ShardBuilt>()); // the first is still held, so this is the second
            Assert.Equal(1, Volatile.Read(ref atCreate));
        }
        finally
        {
            gate.TrySetResult();
        }

        await Eventually.TrueAsync(
            async () =>
            {
                await using var db = ctx.Db();
                return (await db.Shards.AsNoTracking().SingleAsync(ct)).State == ShardState.Submitted;
            },
            "shard submitted",
            ct);
        Assert.Equal(1, gemini.Server.RequestsByEndpoint.GetValueOrDefault(FakeGeminiEndpoints.BatchesCreate));
        Assert.Single(gemini.Server.Batches, b => GeminiTestContext.IsShard(b.DisplayName, shardId));
        Assert.Single(ctx.Harness.Published.Select<ShardSubmitted>());
    }
}
