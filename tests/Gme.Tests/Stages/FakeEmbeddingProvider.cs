using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gme.Core.Embeddings;
using Gme.Core.Vectors;
using Microsoft.Extensions.AI;

namespace Gme.Tests.Stages;

/// <summary>
/// A deterministic provider for stage tests: vectors are derived from the key's hash, and each job's outcome and
/// each key's result can be overridden to inject failures (bad vectors, per-line errors, failed jobs).
/// </summary>
internal sealed class FakeEmbeddingProvider : IEmbeddingProvider
{
    private readonly ConcurrentDictionary<string, string> _shardOfJob = new();

    public string Name => "fake";
    public string ModelId => "fake/model@1";
    public IReadOnlyList<VectorSpace> Spaces { get; } =
    [
        new("text", 4, Distance.Cosine, Modality.Text, Modality.Text),
        new("image", 3, Distance.Cosine, Modality.Image, Modality.Image),
    ];

    public int Submissions;

    /// <summary>Job outcome per submission number (1-based); Succeeded when absent.</summary>
    public ConcurrentDictionary<int, BatchJobStatus> JobOutcomes { get; } = new();

    /// <summary>Replaces the result for a key (return null to drop the line).</summary>
    public Func<string, EmbeddingResult?>? ResultOverride { get; set; }

    /// <summary>Extra lines appended to every result file (unknown keys, duplicates).</summary>
    public List<EmbeddingResult> ExtraResults { get; } = [];

    private readonly ConcurrentDictionary<string, BatchJobStatus> _jobStates = new();

    public async Task<ShardFileInfo> WriteShardAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var lines = items.Select(i => JsonSerializer.Serialize(new { key = i.Key, text = i.Text })).ToList();
        await File.WriteAllLinesAsync(path, lines, cancellationToken);
        return new ShardFileInfo(items.Count, new FileInfo(path).Length, items.Sum(i => i.Text.Length / 4));
    }

    /// <summary>When set, a submit refuses with this reason, as a provider at its cost cap does.</summary>
    public string? BudgetExceeded { get; set; }

    /// <summary>Submits started (each a paid call to a real provider), counted before <see cref="SubmitGate"/>.</summary>
    public int SubmitsStarted;

    /// <summary>When set, every submit waits for this task first (to hold a submit in flight).</summary>
    public Task? SubmitGate { get; set; }

    /// <summary>How many submits still fail with an I/O error (a dropped connection) after they started.</summary>
    public int FailingSubmits;

    public async Task<string> SubmitShardAsync(string shardId, string shardPath, CancellationToken cancellationToken = default)
    {
        if (BudgetExceeded is not null)
        {
            throw new BudgetExceededException(BudgetExceeded);
        }

        Interlocked.Increment(ref SubmitsStarted);
        if (SubmitGate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (Interlocked.Decrement(ref FailingSubmits) >= 0)
        {
            throw new IOException("connection reset while submitting");
        }

        var n = Interlocked.Increment(ref Submissions);
        var job = $"fake-{shardId}-{n}";
        _shardOfJob[job] = shardPath;
        _jobStates[job] = JobOutcomes.GetValueOrDefault(n) ?? new BatchJobStatus(BatchJobState.Succeeded);
        return job;
    }

    public Task<BatchJobStatus> GetJobStatusAsync(string jobName, CancellationToken cancellationToken = default) =>
        Task.FromResult(_jobStates.GetValueOrDefault(jobName) ?? new BatchJobStatus(BatchJobState.Failed, "unknown job"));

    /// <summary>Result reads started (one per collect that got as far as the results).</summary>
    public int ResultReads;

    /// <summary>When set, every result read waits for this task first (to hold a collect in flight).</summary>
    public Task? ReadGate { get; set; }

    /// <summary>How many result reads still fail with an I/O error, as a dropped download does.</summary>
    public int FailingReads;

    public async IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref ResultReads);
        if (ReadGate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (Interlocked.Decrement(ref FailingReads) >= 0)
        {
            throw new IOException("result download interrupted");
        }

        foreach (var line in await File.ReadAllLinesAsync(_shardOfJob[jobName], cancellationToken))
        {
            var key = JsonDocument.Parse(line).RootElement.GetProperty("key").GetString()!;
            var result = ResultOverride is null ? Good(key) : ResultOverride(key);
            if (result is not null)
            {
                yield return result;
            }
        }

        foreach (var extra in ExtraResults)
        {
            yield return extra;
        }
    }

    /// <summary>The query side: a text query's vector is derived from its text like a product's.</summary>
    public QueryEmbedders Queries { get; } = new("fake",
    [
        new("text", Text: new QueryEmbeddingGenerator<string>(new("fake", null, "fake/model@1", 4), (text, _) => Task.FromResult(VectorFor(text, 4)))),
        new("image", Image: new QueryEmbeddingGenerator<DataContent>(
            new("fake", null, "fake/model@1", 3), (image, _) => Task.FromResult(VectorFor(Convert.ToBase64String(image.Data.Span), 3)))),
    ]);

    public EmbeddingResult Good(string key) =>
        new(key, new Dictionary<string, float[]> { ["text"] = VectorFor(key, 4), ["image"] = VectorFor(key + "/img", 3) }, null);

    public static float[] VectorFor(string seed, int dims)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        return Enumerable.Range(0, dims).Select(i => (hash[i] / 255f) + 0.01f).ToArray();
    }
}
