using Gme.Core.Embeddings;
using Gme.Gemini;

namespace Gme.Tests.Gemini;

/// <summary>G6: a crash at any submit boundary, then a restart, leaves exactly one remote batch per shard.</summary>
public sealed class GeminiSubmitOnceTests
{
    public static TheoryData<string> Boundaries => ["BeforeUpload", "AfterUpload", "AfterCreate", "AfterRecording"];

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task Submit_CrashAtBoundaryFiveTimes_OneBatchPerShardAndNoOrphanFiles(string boundary)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ctx = await GeminiTestContext.StartAsync();
        var jobs = new List<(string ShardId, string Job)>();
        for (var i = 0; i < 5; i++)
        {
            var (shardId, path) = await ctx.WriteShardAsync(4, $"shard-{boundary.ToLowerInvariant()}-{i}");
            var crashing = ctx.NewProvider();
            if (Enum.TryParse<SubmitBoundary>(boundary, out var at))
            {
                crashing.BoundaryHook = (b, _) => b == at ? throw new SimulatedCrashException($"crash {b}") : Task.CompletedTask;
                await Assert.ThrowsAsync<SimulatedCrashException>(() => crashing.SubmitShardAsync(shardId, path, ct));
            }
            else
            {
                // After recording: the job name is stored; a redelivered submit must still not create a second batch.
                await crashing.SubmitShardAsync(shardId, path, ct);
            }

            var restarted = ctx.NewProvider();
            var job = await restarted.SubmitShardAsync(shardId, path, ct);
            jobs.Add((shardId, job));
        }

        foreach (var (shardId, job) in jobs)
        {
            Assert.Single(ctx.Server.Batches, b => GeminiTestContext.IsShard(b.DisplayName, shardId));
            Assert.Equal(job, ctx.Server.Batches.Single(b => GeminiTestContext.IsShard(b.DisplayName, shardId)).Name);
            BatchJobStatus status;
            do
            {
                status = await ctx.Provider.GetJobStatusAsync(job, ct);
            }
            while (!status.IsTerminal);

            var results = await ctx.Provider.ReadResultsAsync(job, ct).ToListAsync(ct);
            Assert.Equal(4, results.Count);
            Assert.All(results, r => Assert.Null(r.Error));
        }

        await ctx.Provider.DeleteOrphanFilesAsync(ct);
        Assert.Empty(ctx.Server.UploadedFiles);
        Assert.Empty(ctx.Server.KeyViolations);
    }
}
