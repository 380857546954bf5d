using System.Text.Json;
using Gme.Contracts;
using Gme.Core.Ledger;
using Gme.Core.Messaging.Outbox;
using Gme.Core.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

/// <summary>
/// Issue 11, a crash anywhere resumes: a release killed after its collect committed (its command lost with the
/// in-memory bus) is sent again by the resumed run, as committed, while its shard's files are still recorded as held.
/// </summary>
public sealed class PipelineRecoveryReleaseTests
{
    private static readonly Guid s_run = Guid.NewGuid();

    [Fact]
    public async Task Resume_CollectedShardWithFilesStillHeld_ReleaseSentAgainAsCommitted_ReleasedShardLeftAlone()
    {
        await using var ctx = await StageTestContext.CreateAsync(_ => { });
        var committed = new ReleaseRemoteJob { RunId = s_run, ShardId = "shard-1", JobName = "batches/one", Release = "{\"described\":1}" };
        await using (var db = ctx.Db())
        {
            db.Runs.Add(LedgerSeed.Run(s_run));
            db.Shards.Add(new ShardEntity { Id = "shard-1", RunId = s_run, Path = "s1", Items = 1, State = ShardState.Collected, JobName = "batches/one", Attempts = 1 });
            db.Shards.Add(new ShardEntity { Id = "shard-2", RunId = s_run, Path = "s2", Items = 1, State = ShardState.Collected, JobName = "batches/two", Attempts = 1 });
            db.Shards.Add(new ShardEntity { Id = "shard-3", RunId = s_run, Path = "s3", Items = 1, State = ShardState.Collected, JobName = "batches/three", Attempts = 1 });

            // shard-1: killed between its results delete and its input delete; shard-2: the same, and its outbox row
            // has been cleared since; shard-3: released.
            db.RemoteFiles.Add(new RemoteFileEntity { Name = "files/in-1", ShardId = "shard-1", Kind = RemoteFileKind.Input });
            db.RemoteFiles.Add(new RemoteFileEntity { Name = "files/in-2", ShardId = "shard-2", Kind = RemoteFileKind.Input });
            var released = new RemoteFileEntity { Name = "files/in-3", ShardId = "shard-3", Kind = RemoteFileKind.Input };
            released.MarkDeleted(DateTime.UtcNow);
            db.RemoteFiles.Add(released);
            db.OutboxMessages.Add(new OutboxMessageEntity
            {
                Id = Guid.NewGuid(),
                MessageType = OutboxMessageTypes.NameOf(typeof(ReleaseRemoteJob)),
                Body = JsonSerializer.Serialize(committed),
                CreatedAt = DateTime.UtcNow,
                SentAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var recovery = new PipelineRecovery(ctx.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>());
        await recovery.RequeueAsync(s_run, ctx.Harness.Bus, releaseClaims: true, TestContext.Current.CancellationToken);

        Assert.True(await ctx.Harness.Published.Any<ReleaseRemoteJob>(TestContext.Current.CancellationToken));
        var sent = ctx.Harness.Published.Select<ReleaseRemoteJob>(TestContext.Current.CancellationToken).Select(m => m.Context.Message)
            .OrderBy(m => m.ShardId, StringComparer.Ordinal).ToList();
        Assert.Equal(2, sent.Count);
        Assert.Equal(committed, sent[0]); // with the provider's description (its spend) as committed
        Assert.Equal(new ReleaseRemoteJob { RunId = s_run, ShardId = "shard-2", JobName = "batches/two" }, sent[1]);
    }
}
