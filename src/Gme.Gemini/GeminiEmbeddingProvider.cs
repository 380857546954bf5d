using System.Runtime.CompilerServices;
using System.Text.Json;
using Gme.Core.Embeddings;
using Gme.Core.Ledger;
using Gme.Core.Storage;
using Gme.Core.Vectors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Gme.Gemini;

/// <summary>
/// Gemini Embedding 2 through the Batch API: one vector per product from one Content (text + photo). A submit never
/// pays twice: before uploading or creating it looks for a batch and a file with the shard's remote name (its
/// identity: content, model, size, format version; the stage records that intent in the ledger first), reuses what
/// it finds while its results can still be read, and never repeats a create whose outcome is unknown without listing
/// first. Reading results deletes and records nothing: the release after the collect commit does (see
/// <see cref="ReleaseJobAsync"/>). Small shards and lines a job failed go through the synchronous endpoint.
/// </summary>
public sealed class GeminiEmbeddingProvider(
    GeminiClient client,
    GeminiAdmission admission,
    GeminiSpendLedger spend,
    DataPaths paths,
    IOptions<GeminiOptions> options,
    TimeProvider clock,
    ILogger<GeminiEmbeddingProvider> logger,
    IDbContextFactory<LedgerDbContext>? ledger = null) : IEmbeddingProvider
{
    public const string ProviderName = "gemini";
    public const string ProductSpace = "product";

    /// <summary>Job names of shards embedded synchronously; visible as such in the ledger and status.</summary>
    public const string SyncJobPrefix = "sync/";

    private const int SyncChunk = 100;
    private const int MaxDownloadFailures = 3;

    private readonly GeminiOptions _options = options.Value;
    private readonly GeminiShardFile _shards = new(options.Value);
    private QueryEmbedders? _queries;
    private readonly GeminiRemoteFiles _remoteFiles = new(ledger, clock);
    private readonly Dictionary<string, int> _downloadFailures = new(StringComparer.Ordinal);

    // Input file of each batch this process created: batches.get is not documented to echo it back.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _inputFiles = new(StringComparer.Ordinal);

    // The finished batch a status check just saw, until the read that follows it: its results are read without
    // asking batches.get a second time (one poll fewer per shard).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, GeminiBatch> _finished = new(StringComparer.Ordinal);

    // What the last read of each job found, until its release is described to the collect stage.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, GeminiRelease> _reads = new(StringComparer.Ordinal);

    // Estimated cost of shards submitted but not yet collected, so the cap also counts money already committed.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, double> _committed = new(StringComparer.Ordinal);

    public string Name => ProviderName;

    /// <summary>The text part sent for a product (the Embedding 2 document form); estimates count its tokens.</summary>
    public static string DocumentText(string productText) => GeminiShardFile.DocumentText(productText);

    public string ModelId => $"gemini/{_options.Model}@{_options.OutputDimensionality}";

    public IReadOnlyList<VectorSpace> Spaces =>
        [new(ProductSpace, _options.OutputDimensionality, Distance.Cosine, Modality.Text | Modality.Image, Modality.Text | Modality.Image)];

    /// <summary>Test seam: called at each submit boundary; a test throws here to simulate a crash.</summary>
    internal Func<SubmitBoundary, string, Task>? BoundaryHook { get; set; }

    /// <summary>Test seam: called with the job name right after a release deleted the job's results file.</summary>
    internal Func<string, Task>? AfterResultsDeleteHook { get; set; }

    public Task<ShardFileInfo> WriteShardAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken cancellationToken = default) =>
        _shards.WriteAsync(items, path, cancellationToken);

    public async Task<string> SubmitShardAsync(string shardId, string shardPath, CancellationToken cancellationToken = default)
    {
        var ct = cancellationToken;
        var lines = await _shards.ReadAsync(shardPath, null, ct).ToListAsync(ct);
        var estimate = GeminiCostEstimate.For(_options, lines.Count, lines.Sum(l => l.TextTokens), lines.Sum(l => (long)l.Images));
        if (lines.Count <= _options.SyncFallbackMaxItems)
        {
            if (!File.Exists(SyncResultsPath(SyncJobPrefix + shardId)))
            {
                await CheckBudgetAsync(shardId, estimate.SyncUsd, ct);
            }

            return await EmbedShardSynchronouslyAsync(shardId, shardPath, lines.Count, ct);
        }

        var tokens = estimate.TotalTokens;
        var remoteName = await GeminiRemoteName.ForAsync(shardId, shardPath, _options, await _remoteFiles.AttemptOfAsync(shardId, ct), ct);
        for (var uncertain = 0; ; )
        {
            await HookAsync(SubmitBoundary.BeforeUpload, shardId);
            if (await FindBatchAsync(remoteName, ct) is { } existing)
            {
                admission.Track(existing.Name, tokens);
                logger.BatchReconciled(shardId, existing.Name);
                return existing.Name;
            }

            await CheckBudgetAsync(shardId, estimate.BatchUsd, ct);
            await admission.AcquireAsync(shardId, tokens, ct);
            try
            {
                var file = await ReuseOrUploadAsync(shardId, remoteName, shardPath, ct);
                await HookAsync(SubmitBoundary.AfterUpload, shardId);
                var batch = await client.CreateBatchAsync(remoteName, file.Name, ct);
                _inputFiles[batch.Name] = file.Name;
                _committed[shardId] = estimate.BatchUsd;
                admission.Rename(shardId, batch.Name);
                admission.OnCreated();
                logger.BatchCreated(shardId, batch.Name, file.Name);
                await HookAsync(SubmitBoundary.AfterCreate, shardId);
                return batch.Name;
            }
            catch (GeminiApiException ex) when (ex.IsRateLimited)
            {
                // A 429 means nothing was created: wait as asked, with lower limits, and try again.
                admission.Release(shardId);
                var delay = admission.OnRateLimited(ex.RetryAfter);
                logger.CreateRateLimited(shardId, delay, admission.MaxJobs, admission.MaxTokens);
            }
            catch (GeminiApiException ex) when (ex.IsTransient && ++uncertain < _options.MaxSafeAttempts)
            {
                // The create may or may not have happened: the next round lists batches before creating again.
                admission.Release(shardId);
                logger.CreateUncertain(shardId, ex.Message);
                await Task.Delay(client.SafeRetryBaseDelay * uncertain, clock, ct);
            }
            catch
            {
                admission.Release(shardId);
                throw;
            }
        }
    }

    public async Task<BatchJobStatus> GetJobStatusAsync(string jobName, CancellationToken cancellationToken = default)
    {
        if (jobName.StartsWith(SyncJobPrefix, StringComparison.Ordinal))
        {
            return File.Exists(SyncResultsPath(jobName))
                ? new BatchJobStatus(BatchJobState.Succeeded)
                : new BatchJobStatus(BatchJobState.Failed, "synchronous results are missing");
        }

        GeminiBatch batch;
        try
        {
            batch = await client.GetBatchAsync(jobName, cancellationToken);
        }
        catch (GeminiApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Deleted remotely (by a user or another ledger's cleanup): lost work, submitted again by the collect stage.
            admission.Release(jobName);
            return new BatchJobStatus(BatchJobState.Expired, "the batch no longer exists");
        }

        var status = new BatchJobStatus(batch.State, batch.Error);
        if (status.IsTerminal)
        {
            admission.Release(jobName);
            if (status.State is BatchJobState.Succeeded)
            {
                _finished[jobName] = batch;
            }
        }

        return status;
    }

    public async IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ct = cancellationToken;
        if (jobName.StartsWith(SyncJobPrefix, StringComparison.Ordinal))
        {
            await foreach (var line in ReadSyncResultsAsync(jobName, ct))
            {
                yield return line;
            }

            yield break;
        }

        var batch = _finished.TryRemove(jobName, out var seen) ? seen : await client.GetBatchAsync(jobName, ct);
        var displayName = batch.DisplayName ?? throw new InvalidOperationException($"batch {jobName} has no display name");
        var shardId = GeminiRemoteName.ShardIdOf(displayName) ?? displayName;
        var shardPath = Path.Combine(paths.Shards, shardId + ".jsonl");
        var results = new Dictionary<string, GeminiResultLine>(StringComparer.Ordinal);
        if (batch.ResponsesFile is not null)
        {
            // Known from here on, so a release (or status) finds it in the ledger even if this process dies.
            await _remoteFiles.RecordAsync(batch.ResponsesFile, shardId, RemoteFileKind.Results, null, ct);
        }

        if (batch.ResponsesFile is not null && await TryDownloadAsync(jobName, batch.ResponsesFile, results, ct) is false)
        {
            throw new GeminiApiException(null, $"results of {jobName} could not be downloaded; will try again");
        }

        var lines = await _shards.ReadAsync(shardPath, null, ct).ToListAsync(ct);
        var retry = lines.Where(l => results.GetValueOrDefault(l.Key)?.Values is null).Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        var recovered = retry.Count == 0
            ? new Dictionary<string, GeminiResultLine>(StringComparer.Ordinal)
            : await EmbedLinesSynchronouslyAsync(shardPath, retry, ct);
        if (retry.Count > 0)
        {
            logger.LinesRetried(jobName, retry.Count, recovered.Values.Count(r => r.Values is not null));
        }

        long batchItems = 0, batchText = 0, syncItems = 0, syncText = 0, billed = 0, unbilled = 0;
        foreach (var line in lines)
        {
            var result = recovered.GetValueOrDefault(line.Key) ?? results.GetValueOrDefault(line.Key);
            if (result?.Values is not null)
            {
                if (recovered.ContainsKey(line.Key))
                {
                    syncItems++;
                    syncText += line.TextTokens;
                }
                else
                {
                    batchItems++;
                    batchText += line.TextTokens;
                    billed += result.Tokens ?? 0;
                    unbilled += result.Tokens is null ? 1 : 0;
                }
            }

            yield return ToResult(line.Key, result);
        }

        // Nothing is recorded or deleted here: the collect may still fail to commit and read again. The release,
        // committed with the collect, records this spend and deletes the files afterwards.
        List<GeminiSpendEntry> spent = [Spend(jobName, "batch", batchItems, batchText, useBatchPrices: true, unbilled == 0 ? billed : null)];
        if (syncItems > 0)
        {
            spent.Add(Spend(jobName + "-retries", "sync", syncItems, syncText, useBatchPrices: false, null));
        }

        _reads[jobName] = new GeminiRelease(batch.ResponsesFile, batch.InputFile ?? _inputFiles.GetValueOrDefault(jobName), displayName, spent);
    }

    public string? DescribeRelease(string jobName) =>
        _reads.TryRemove(jobName, out var release) ? JsonSerializer.Serialize(release) : null;

    /// <summary>
    /// After the collect committed: records the job's spend (one file per job, so a repeat overwrites, never adds), then
    /// deletes its results file and its input file. Something already gone (404) counts as deleted, so a release that
    /// died half way is simply run again.
    /// </summary>
    public async Task ReleaseJobAsync(string jobName, string? release, CancellationToken cancellationToken = default)
    {
        var ct = cancellationToken;
        _finished.TryRemove(jobName, out _);
        if (jobName.StartsWith(SyncJobPrefix, StringComparison.Ordinal))
        {
            return; // synchronous spend is recorded when paid; its results are a local file the ledger may still need
        }

        var described = release is null ? null : JsonSerializer.Deserialize<GeminiRelease>(release);
        if (described is null)
        {
            GeminiBatch? batch = null;
            try
            {
                batch = await client.GetBatchAsync(jobName, ct);
            }
            catch (GeminiApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // The batch is gone; its files are found by name below, or by the sweep.
            }

            described = new GeminiRelease(batch?.ResponsesFile, batch?.InputFile ?? _inputFiles.GetValueOrDefault(jobName), batch?.DisplayName, []);
        }

        foreach (var entry in described.Spend)
        {
            await spend.RecordAsync(entry, ct);
        }

        if (GeminiRemoteName.ShardIdOf(described.DisplayName) is { } shardId)
        {
            _committed.TryRemove(shardId, out _);
        }

        if (!_options.DeleteFilesAfterCollect)
        {
            return;
        }

        // The ledger's names first (every upload and read results file of the shard, from any process or attempt), then
        // what the read described; a delete of something already gone is a success, and each is marked as it goes.
        var shardOf = GeminiRemoteName.ShardIdOf(described.DisplayName);
        var recorded = shardOf is null ? [] : await _remoteFiles.HeldAsync(shardOf, ct);
        if (described.ResponsesFile is not null)
        {
            await DeleteRecordedAsync(described.ResponsesFile, ct);
            if (AfterResultsDeleteHook is { } hook)
            {
                await hook(jobName);
            }
        }

        foreach (var name in recorded.Where(n => n != described.ResponsesFile))
        {
            await DeleteRecordedAsync(name, ct);
        }

        if (described.InputFile is not null && !recorded.Contains(described.InputFile))
        {
            await DeleteRecordedAsync(described.InputFile, ct);
        }
        else if (described.InputFile is null && recorded.Count == 0 && described.DisplayName is not null)
        {
            // Nothing recorded (no ledger, or an upload of a version that did not record): the upload carries the name.
            await foreach (var file in client.ListAllFilesAsync(ct))
            {
                if (file.DisplayName == described.DisplayName)
                {
                    await DeleteRecordedAsync(file.Name, ct);
                }
            }
        }

        _inputFiles.TryRemove(jobName, out _);
    }

    public string DescribeModelChange(string existingModelId)
    {
        // Model ids read gemini/{model}@{size}.
        var at = existingModelId.LastIndexOf('@');
        var model = at < 0 ? existingModelId : existingModelId[..at];
        return !existingModelId.StartsWith(ProviderName + "/", StringComparison.Ordinal) ? "Gme:Provider"
            : model != $"{ProviderName}/{_options.Model}" ? $"{GeminiOptions.SectionName}:{nameof(GeminiOptions.Model)}"
            : $"{GeminiOptions.SectionName}:{nameof(GeminiOptions.OutputDimensionality)}";
    }

    /// <summary>
    /// The query generators of the one fused <see cref="ProductSpace"/>: text, an image, or both parts in one Content
    /// (one vector for "this photo, but in red"), each a synchronous call that gives up with
    /// <see cref="EmbeddingUnavailableException"/> when the service stays unavailable past the query deadline.
    /// </summary>
    public QueryEmbedders Queries => _queries ??= CreateQueries();

    private QueryEmbedders CreateQueries()
    {
        var metadata = new EmbeddingGeneratorMetadata(ProviderName, null, ModelId, _options.OutputDimensionality);
        return new(ProviderName,
        [
            new(ProductSpace,
                Text: new QueryEmbeddingGenerator<string>(metadata, (text, ct) => EmbedQueryAsync(RequireText(text), null, ct)),
                Image: new QueryEmbeddingGenerator<DataContent>(metadata, (image, ct) => EmbedQueryAsync(null, RequireImage(image), ct)),
                TextAndImage: new QueryEmbeddingGenerator<IReadOnlyList<AIContent>>(metadata, (parts, ct) => EmbedQueryAsync(
                    parts.OfType<TextContent>().Select(t => t.Text).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)),
                    parts.OfType<DataContent>().FirstOrDefault(),
                    ct))),
        ]);
    }

    private static string RequireText(string text) =>
        string.IsNullOrWhiteSpace(text) ? throw new ArgumentException("the query text is empty", nameof(text)) : text;

    private static DataContent RequireImage(DataContent image) => image ?? throw new ArgumentNullException(nameof(image));

    private async Task<float[]> EmbedQueryAsync(string? text, DataContent? image, CancellationToken cancellationToken)
    {
        if (text is null && image is null)
        {
            throw new ArgumentException("a query needs text, an image, or both");
        }

        if (image is not null && !image.HasTopLevelMediaType("image"))
        {
            throw new ArgumentException($"the query image must be an image, not {image.MediaType}", nameof(image));
        }

        var query = text is null ? null : GeminiShardFile.QueryText(text);
        try
        {
            var vector = await client.EmbedContentAsync(_shards.WriteRequest(query, image?.Data.ToArray()), cancellationToken);
            return Normalised(vector);
        }
        catch (GeminiApiException ex) when (ex.IsTransient)
        {
            throw new EmbeddingUnavailableException(
                $"Gemini could not embed the query within {_options.QueryDeadline.TotalSeconds:0} s: {ex.Message}", ex);
        }
    }

    /// <summary>Deletes every remote file of Gme's that no shard still needs (no live shards known: all of them).</summary>
    public Task<int> DeleteOrphanFilesAsync(CancellationToken ct) =>
        SweepRemoteStorageAsync(new HashSet<string>(StringComparer.Ordinal), ct);

    /// <summary>
    /// Deletes remote files under Gme's names that no live shard uses: uploads of shards that are not live (left by
    /// crashes, resubmissions or jobs that ended) and results files of finished batches of such shards. A file a
    /// pending or running batch reads is kept. Returns the number deleted.
    /// </summary>
    public async Task<int> SweepRemoteStorageAsync(IReadOnlySet<string> liveShardIds, CancellationToken cancellationToken = default)
    {
        var ct = cancellationToken;
        var listedAt = clock.GetUtcNow().UtcDateTime;
        var files = await client.ListAllFilesAsync(ct).ToListAsync(ct);
        var existing = files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var busyNames = new HashSet<string>(StringComparer.Ordinal);
        var doomed = new List<(string Name, string Label)>();
        await foreach (var batch in client.ListAllBatchesAsync(ct))
        {
            if (GeminiRemoteName.ShardIdOf(batch.DisplayName) is not { } shardId)
            {
                continue;
            }

            if (batch.State is BatchJobState.Pending or BatchJobState.Running)
            {
                busyNames.Add(batch.DisplayName!);
            }
            else if (!liveShardIds.Contains(shardId) && batch.ResponsesFile is { } results && existing.Contains(results))
            {
                doomed.Add((results, batch.DisplayName!));
            }
        }

        foreach (var file in files)
        {
            if (GeminiRemoteName.ShardIdOf(file.DisplayName) is { } shardId && !liveShardIds.Contains(shardId) && !busyNames.Contains(file.DisplayName!))
            {
                doomed.Add((file.Name, file.DisplayName!));
            }
        }

        foreach (var (name, label) in doomed)
        {
            await DeleteRecordedAsync(name, ct);
            logger.FileDeleted(label, name);
        }

        // Recorded before the listing but not on the account: deleted by someone else or expired (48 h).
        var gone = (await _remoteFiles.HeldBeforeAsync(listedAt, ct)).Where(n => !existing.Contains(n)).ToList();
        await _remoteFiles.MarkDeletedAsync(gone, ct);
        return doomed.Count;
    }

    /// <summary>Remote files under Gme's names still stored on the account, and their bytes (uploads of unfinished shards).</summary>
    public async Task<(int Files, long Bytes)> RemoteHoldingsAsync(CancellationToken ct)
    {
        int files = 0;
        long bytes = 0;
        await foreach (var file in client.ListAllFilesAsync(ct))
        {
            if (GeminiRemoteName.ShardIdOf(file.DisplayName) is not null)
            {
                files++;
                bytes += file.SizeBytes ?? 0;
            }
        }

        return (files, bytes);
    }

    /// <summary>Refuses a shard whose cost would take recorded plus committed spend past the cap.</summary>
    private async Task CheckBudgetAsync(string shardId, double shardUsd, CancellationToken ct)
    {
        if (_options.MaxCostUsd is not { } cap)
        {
            return;
        }

        var spent = await spend.TotalUsdAsync(ct);
        var committed = _committed.Where(c => c.Key != shardId).Sum(c => c.Value);
        if (spent + committed + shardUsd > cap)
        {
            throw new BudgetExceededException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"cost cap of ${cap:F2} reached: ${spent:F4} spent, ${committed:F4} in flight, shard {shardId} would add ${shardUsd:F4}"));
        }
    }

    private async Task HookAsync(SubmitBoundary boundary, string shardId)
    {
        if (BoundaryHook is { } hook)
        {
            await hook(boundary, shardId);
        }
    }

    /// <summary>
    /// A batch with this shard's remote name (so the same content, model, size and format) that can still deliver.
    /// Failed, expired and cancelled ones do not count: the collect stage resubmits after those on purpose; nor does a
    /// succeeded one whose results file is gone (collected and released by an earlier ledger, or expired): that work is
    /// lost and a new batch is created.
    /// </summary>
    private async Task<GeminiBatch?> FindBatchAsync(string remoteName, CancellationToken ct)
    {
        var finished = new List<GeminiBatch>();
        await foreach (var batch in client.ListAllBatchesAsync(ct))
        {
            if (batch.DisplayName != remoteName)
            {
                continue;
            }

            if (batch.State is BatchJobState.Pending or BatchJobState.Running)
            {
                return batch;
            }

            if (batch.State is BatchJobState.Succeeded && batch.ResponsesFile is not null)
            {
                finished.Add(batch);
            }
        }

        foreach (var batch in finished)
        {
            if (await client.FindFileAsync(batch.ResponsesFile!, ct) is not null)
            {
                return batch;
            }
        }

        return null;
    }

    private async Task DeleteRecordedAsync(string name, CancellationToken ct)
    {
        await client.DeleteFileAsync(name, ct);
        await _remoteFiles.MarkDeletedAsync([name], ct);
    }

    private async Task<GeminiFile> ReuseOrUploadAsync(string shardId, string remoteName, string shardPath, CancellationToken ct)
    {
        var length = new FileInfo(shardPath).Length;
        GeminiFile? reuse = null;
        var stale = new List<GeminiFile>();
        await foreach (var file in client.ListAllFilesAsync(ct))
        {
            if (file.DisplayName != remoteName)
            {
                continue;
            }

            if (reuse is null && file.SizeBytes == length && file.State is null or "ACTIVE")
            {
                reuse = file;
            }
            else
            {
                stale.Add(file);
            }
        }

        foreach (var file in stale)
        {
            await DeleteRecordedAsync(file.Name, ct);
            logger.FileDeleted(remoteName, file.Name);
        }

        if (reuse is not null)
        {
            logger.FileReused(remoteName, reuse.Name);
            await _remoteFiles.RecordAsync(reuse.Name, shardId, RemoteFileKind.Input, reuse.SizeBytes ?? length, ct);
            return reuse;
        }

        var uploaded = await client.UploadFileAsync(shardPath, remoteName, "application/jsonl", ct);
        await _remoteFiles.RecordAsync(uploaded.Name, shardId, RemoteFileKind.Input, uploaded.SizeBytes ?? length, ct);
        return uploaded;
    }

    private async Task<bool> TryDownloadAsync(string jobName, string responsesFile, Dictionary<string, GeminiResultLine> results, CancellationToken ct)
    {
        try
        {
            await foreach (var line in client.DownloadResultsAsync(responsesFile, ct))
            {
                // A duplicated line never overrides the first one.
                results.TryAdd(line.Key, line);
            }

            lock (_downloadFailures)
            {
                _downloadFailures.Remove(jobName);
            }

            return true;
        }
        catch (GeminiApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Deleted or expired: not a fault of the products, and no retry brings it back.
            throw new JobResultsLostException(jobName, ex.Message);
        }
        catch (GeminiApiException ex) when (ex.IsTransient)
        {
            results.Clear();
            lock (_downloadFailures)
            {
                // After a few failed reads the results count as lost and every line goes the synchronous way.
                var failures = _downloadFailures[jobName] = _downloadFailures.GetValueOrDefault(jobName) + 1;
                return failures >= MaxDownloadFailures;
            }
        }
    }

    private async Task<string> EmbedShardSynchronouslyAsync(string shardId, string shardPath, int items, CancellationToken ct)
    {
        var jobName = SyncJobPrefix + shardId;
        var resultsPath = SyncResultsPath(jobName);
        if (File.Exists(resultsPath))
        {
            return jobName; // embedded before a crash: do not pay again
        }

        var keys = (await _shards.ReadAsync(shardPath, null, ct).ToListAsync(ct)).Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        var results = await EmbedLinesSynchronouslyAsync(shardPath, keys, ct);
        await AtomicFile.WriteAsync(resultsPath, async stream =>
        {
            foreach (var result in results.Values)
            {
                await JsonSerializer.SerializeAsync(stream, result, cancellationToken: ct);
                stream.WriteByte((byte)'\n');
            }
        }, ct);
        logger.SyncFallback(shardId, items);
        var lines = await _shards.ReadAsync(shardPath, null, ct).ToListAsync(ct);
        var ok = lines.Where(l => results.GetValueOrDefault(l.Key)?.Values is not null).ToList();
        await spend.RecordAsync(Spend(jobName, "sync", ok.Count, ok.Sum(l => l.TextTokens), useBatchPrices: false, null), ct);
        return jobName;
    }

    private async IAsyncEnumerable<EmbeddingResult> ReadSyncResultsAsync(string jobName, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(SyncResultsPath(jobName));
        while (await reader.ReadLineAsync(ct) is { } text)
        {
            if (JsonSerializer.Deserialize<GeminiResultLine>(text) is { } line)
            {
                yield return ToResult(line.Key, line);
            }
        }
    }

    /// <summary>
    /// batchEmbedContents in calls of 100, for the given keys. A call that fails is retried a bounded number of times
    /// (only the keys still missing); what remains gets the last error as its reason.
    /// </summary>
    private async Task<Dictionary<string, GeminiResultLine>> EmbedLinesSynchronouslyAsync(string shardPath, HashSet<string> keys, CancellationToken ct)
    {
        var pending = await _shards.ReadAsync(shardPath, keys.Contains, ct).Where(l => l.RequestJson is not null).ToListAsync(ct);
        var done = new Dictionary<string, GeminiResultLine>(StringComparer.Ordinal);
        var lastError = new Dictionary<string, string>(StringComparer.Ordinal);
        var chunkSize = SyncChunk;
        for (var round = 0; round <= _options.MaxLineRetries && pending.Count > 0; round++)
        {
            foreach (var chunk in pending.Chunk(chunkSize))
            {
                try
                {
                    var vectors = await client.BatchEmbedContentsAsync(chunk.Select(l => l.RequestJson!).ToList(), ct);
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        done[chunk[i].Key] = new GeminiResultLine(chunk[i].Key, vectors[i], null);
                    }
                }
                catch (GeminiApiException ex)
                {
                    foreach (var line in chunk)
                    {
                        lastError[line.Key] = ex.Message;
                    }

                    if (!ex.IsTransient)
                    {
                        // One bad request fails the whole call: go item by item so it only fails itself.
                        chunkSize = 1;
                    }
                    else if (ex.IsRateLimited)
                    {
                        await Task.Delay(ex.RetryAfter ?? client.SafeRetryBaseDelay, clock, ct);
                    }
                }
            }

            pending = pending.Where(l => !done.ContainsKey(l.Key)).ToList();
        }

        foreach (var line in pending)
        {
            done[line.Key] = new GeminiResultLine(line.Key, null,
                $"{lastError.GetValueOrDefault(line.Key, "no result")} (after {_options.MaxLineRetries + 1} synchronous attempts)");
        }

        return done;
    }

    /// <summary>
    /// The estimate from counted text tokens and images; with the billed token total from the results the dollars follow
    /// it instead, at the estimate's mix of text and image prices (the total is not split by modality).
    /// </summary>
    private GeminiSpendEntry Spend(string job, string mode, long items, long textTokens, bool useBatchPrices, long? billedTokens)
    {
        var estimate = GeminiCostEstimate.For(_options, items, textTokens, items);
        var usd = useBatchPrices ? estimate.BatchUsd : estimate.SyncUsd;
        if (billedTokens is { } billed && estimate.TotalTokens > 0)
        {
            return new GeminiSpendEntry(job, mode, items, textTokens, estimate.ImageTokens, usd * billed / estimate.TotalTokens, billed, Estimated: false);
        }

        return new GeminiSpendEntry(job, mode, items, textTokens, estimate.ImageTokens, usd);
    }

    private string SyncResultsPath(string jobName) => Path.Combine(paths.Jobs, "gemini-" + jobName.Replace('/', '-') + ".jsonl");

    private EmbeddingResult ToResult(string key, GeminiResultLine? line)
    {
        if (line?.Values is { } values)
        {
            return new EmbeddingResult(key, new Dictionary<string, float[]> { [ProductSpace] = Normalised(values) }, null);
        }

        return new EmbeddingResult(key, null, line?.Error ?? "no result line for this product");
    }

    /// <summary>Embedding 2 normalises truncated vectors itself; renormalising a near-unit vector is cheap insurance.</summary>
    private static float[] Normalised(float[] vector)
    {
        double sum = 0;
        foreach (var v in vector)
        {
            sum += v * (double)v;
        }

        var norm = Math.Sqrt(sum);
        if (norm is 0 or double.NaN || double.IsInfinity(norm) || Math.Abs(norm - 1) < 1e-6)
        {
            return vector; // the validator reports zero or non-finite vectors
        }

        var result = new float[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            result[i] = (float)(vector[i] / norm);
        }

        return result;
    }
}
