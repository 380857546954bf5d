using Gme.Contracts;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

/// <summary>
/// The submit claim: two deliveries of one ShardBuilt (a redelivery, the outbox sweeper, a re-announcement) never call
/// the provider at once, since the claim is committed before the paid call; a claim is handed back when the submit
/// fails, released when an embedded run resumes after a crash, and taken over once a dead holder's claim expires.
/// </summary>
public sealed class SubmitShardClaimTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    private static async Task<StageTestContext> ArrangeAsync()
    {
        var ctx = await StageTestContext.CreateAsync(x => x.AddConsumer<SubmitShardConsumer>());
        var path = Path.Combine(ctx.Paths.Shards, "shard-1.jsonl");
        await ctx.Provider.WriteShardAsync([new EmbeddingInput("P1", "t", "/x.jpg")], path);
        await using var db = ctx.Db();
        db.Runs.Add(LedgerSeed.Run(s_run));
        db.Shards.Add(new ShardEntity { Id = "shard-1", RunId = s_run, Path = path, Items = 1, State = ShardState.Built });
        await db.SaveChangesAsync();
        return ctx;
    }

    private static async Task<ShardEntity> ShardAsync(StageTestContext ctx)
    {
        await using var db = ctx.Db();
        return await db.Shards.AsNoTracking().SingleAsync();
    }

    // A new message id each time, as a re-announcement (or a second Embedder's copy) has: the inbox does not stop it.
    private static Task AnnounceAsync(StageTestContext ctx) =>
        ctx.Harness.Bus.Publish(new ShardBuilt { RunId = s_run, ShardId = "shard-1", Items = 1 });

    private static async Task HoldClaimAsync(StageTestContext ctx, DateTime expires)
    {
        // A claim as TryClaimSubmitAsync leaves it, held by a submitter that is gone.
        await using var db = ctx.Db();
        Assert.True(await ShardEntity.TryClaimSubmitAsync(db.Shards, "shard-1", Guid.NewGuid(), DateTime.UtcNow, expires, CancellationToken.None));
    }

    [Fact]
    public async Task TwoDeliveriesOfOneShardBuilt_WhileTheFirstIsSubmitting_OneProviderCall()
    {
        await using var ctx = await ArrangeAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ctx.Provider.SubmitGate = gate.Task;

        await AnnounceAsync(ctx);
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref ctx.Provider.SubmitsStarted) == 1), "first submit in flight", default);
        var held = await ShardAsync(ctx);
        Assert.Equal((ShardState.Submitting, 1), (held.State, held.Attempts));
        Assert.NotNull(held.ClaimToken);

        // The second copy arrives while the first is still uploading: it finds the claim and leaves.
        // (Without the claim it found the shard submitting, took it for a crashed submit and called the provider too.)
        await AnnounceAsync(ctx);
        Assert.True(await ctx.Harness.Consumed.Any<ShardBuilt>()); // the first is still held, so this is the second
        Assert.Equal(1, Volatile.Read(ref ctx.Provider.SubmitsStarted));
        Assert.NotNull((await ShardAsync(ctx)).ClaimToken);
        gate.SetResult();

        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Submitted, "shard submitted", default);
        var shard = await ShardAsync(ctx);
        Assert.Equal(("fake-shard-1-1", 1, (Guid?)null, (DateTime?)null), (shard.JobName, shard.Attempts, shard.ClaimToken, shard.ClaimExpiresAt));
        Assert.Equal(1, Volatile.Read(ref ctx.Provider.SubmitsStarted));
        Assert.Single(ctx.Harness.Published.Select<ShardSubmitted>());
        Assert.Empty(ctx.Harness.Published.Select<Fault<ShardBuilt>>());
    }

    [Fact]
    public async Task SubmitThatFails_HandsTheClaimBack_SoTheNextDeliverySubmitsAtOnce()
    {
        await using var ctx = await ArrangeAsync();
        ctx.Provider.FailingSubmits = 1;

        await AnnounceAsync(ctx);
        await Eventually.TrueAsync(async () => await ShardAsync(ctx) is { State: ShardState.Submitting, ClaimToken: null }, "claim handed back", default);

        await AnnounceAsync(ctx);
        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Submitted, "shard submitted", default);
        Assert.Equal(2, Volatile.Read(ref ctx.Provider.SubmitsStarted));
        Assert.Equal(1, ctx.Provider.Submissions);
    }

    [Fact]
    public async Task ClaimOfASubmitterThatDied_IsRespectedUntilItExpires_ThenTakenOver()
    {
        await using var ctx = await ArrangeAsync();
        await HoldClaimAsync(ctx, DateTime.UtcNow.AddMinutes(10));

        await AnnounceAsync(ctx);
        Assert.True(await ctx.Harness.Consumed.Any<ShardBuilt>());
        Assert.Equal(ShardState.Submitting, (await ShardAsync(ctx)).State);
        Assert.Equal(0, Volatile.Read(ref ctx.Provider.SubmitsStarted));

        await using (var db = ctx.Db())
        {
            var shard = await db.Shards.SingleAsync();
            shard.ClaimExpiresAt = DateTime.UtcNow.AddSeconds(-1);
            await db.SaveChangesAsync();
        }

        await AnnounceAsync(ctx);
        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Submitted, "expired claim taken over", default);
        Assert.Equal(1, Volatile.Read(ref ctx.Provider.SubmitsStarted));
        Assert.Equal(2, (await ShardAsync(ctx)).Attempts); // the dead holder's attempt and the taker's; the refused copy made none
    }

    [Fact]
    public async Task EmbeddedResumeAfterACrashMidSubmit_ReleasesTheClaimAndSubmits()
    {
        await using var ctx = await ArrangeAsync();
        await HoldClaimAsync(ctx, DateTime.UtcNow.AddMinutes(10));

        // As `gme run` resuming after the crash: the one Embedder is this process, so every claim is released.
        var recovery = ActivatorUtilities.CreateInstance<PipelineRecovery>(ctx.Services);
        var sent = await recovery.RequeueAsync(s_run, ctx.Harness.Bus, releaseClaims: true, CancellationToken.None);
        Assert.Equal(1, sent);

        await Eventually.TrueAsync(async () => (await ShardAsync(ctx)).State == ShardState.Submitted, "shard submitted after resume", default);
        Assert.Equal(1, Volatile.Read(ref ctx.Provider.SubmitsStarted));
        Assert.Null((await ShardAsync(ctx)).ClaimToken);
    }
}
