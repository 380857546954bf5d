using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gme.Core.Embeddings;
using Gme.Core.Storage;
using Gme.Core.Vectors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;

namespace Gme.Onnx;

/// <summary>
/// The embedded-profile provider: MiniLM text vectors and ResNet18 image vectors computed in-process with ONNX
/// Runtime, no network and no API key. It keeps the batch life cycle of a remote API so the pipeline stages are the
/// same for every provider: the "job" runs to completion inside <see cref="SubmitShardAsync"/> and its results file
/// under <see cref="DataPaths.Jobs"/> is the job's state.
/// </summary>
public sealed partial class LocalOnnxProvider(DataPaths paths, IOptions<LocalModelOptions> options, ILogger<LocalOnnxProvider> logger)
    : IEmbeddingProvider, IDisposable
{
    public const string ProviderName = "local";
    public const string TextSpace = "text";
    public const string ImageSpace = "image";

    /// <summary>Bump the version when preprocessing changes, so vectors from before and after are not mixed.</summary>
    public const string Model = "local/all-MiniLM-L6-v2+resnet18@1";

    /// <summary>The model id with arctic-embed-xs as the text model.</summary>
    public const string ArcticModel = "local/snowflake-arctic-embed-xs+resnet18@1";

    private const string JobPrefix = "local-";

    // Items embedded per step: enough for several full text batches and parallel image decoding, small enough
    // that a large shard never holds more than a few hundred vectors in memory.
    private const int ChunkSize = 256;

    private static readonly IReadOnlyList<VectorSpace> s_spaces =
    [
        new(TextSpace, MiniLmTextEncoder.Dimensions, Distance.Cosine, Modality.Text, Modality.Text),
        new(ImageSpace, ResNetImageEncoder.Dimensions, Distance.Cosine, Modality.Image, Modality.Image),
    ];

    private static readonly byte[] s_newLine = "\n"u8.ToArray();
    private static readonly TimeSpan s_lockRetry = TimeSpan.FromMilliseconds(250);

    private readonly LocalModelOptions _options = options.Value;
    private readonly MiniLmTextEncoder _text = new(options.Value);
    private readonly ResNetImageEncoder _image = new(options.Value);
    private QueryEmbedders? _queries;

    public string Name => ProviderName;

    public string ModelId => ModelFor(_options.TextModel);

    public IReadOnlyList<VectorSpace> Spaces => s_spaces;

    /// <summary>A data dir of the other local text model is fixed by that setting.</summary>
    public string DescribeModelChange(string existingModelId) =>
        existingModelId is Model or ArcticModel ? "Gme:LocalModel:TextModel" : "Gme:Provider";

    public async Task<ShardFileInfo> WriteShardAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken cancellationToken = default)
    {
        long tokens = 0;
        await AtomicFile.WriteAsync(
            path,
            async stream =>
            {
                foreach (var item in items)
                {
                    tokens += _text.Tokenize(item.Text).Length;
                    var line = new LocalShardLine(item.Key, item.Text, Path.GetFullPath(item.ImagePath));
                    await stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(line, LocalJsonContext.Default.LocalShardLine), cancellationToken);
                    await stream.WriteAsync(s_newLine, cancellationToken);
                }
            },
            cancellationToken);

        return new ShardFileInfo(items.Count, new FileInfo(path).Length, tokens);
    }

    public async Task<string> SubmitShardAsync(string shardId, string shardPath, CancellationToken cancellationToken = default)
    {
        var jobName = JobPrefix + shardId;
        var resultsPath = ResultsPath(jobName);

        // A redelivered or repeated submit finds the finished job and costs nothing.
        if (File.Exists(resultsPath))
        {
            LogResultsReused(jobName);
            return jobName;
        }

        if (!File.Exists(shardPath))
        {
            throw new FileNotFoundException(
                $"Shard file '{shardPath}' of shard '{shardId}' does not exist; the shard must be written before it is submitted.",
                shardPath);
        }

        // Competing Embedder processes can be handed the same shard (a redelivery after a broker restart, a
        // re-announcement while the first is still embedding). An exclusive lock per job (flock, released by the OS
        // if its holder dies) makes the second wait and then reuse the first's results instead of embedding again.
        await using var jobLock = await LockJobAsync(resultsPath + ".lock", cancellationToken);
        if (File.Exists(resultsPath))
        {
            LogResultsReused(jobName);
            return jobName;
        }

        var started = Stopwatch.GetTimestamp();
        var counts = new JobCounts();
        await AtomicFile.WriteAsync(resultsPath, stream => EmbedShardAsync(shardPath, stream, counts, cancellationToken), cancellationToken);
        var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogJobCompleted(jobName, counts.Items, counts.Errors, elapsedMs);
        return jobName;
    }

    private static async Task<FileStream> LockJobAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another process holds the job; its results will be there when it lets go.
                await Task.Delay(s_lockRetry, cancellationToken);
            }
        }
    }

    public Task<BatchJobStatus> GetJobStatusAsync(string jobName, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(ResultsPath(jobName))
            ? new BatchJobStatus(BatchJobState.Succeeded)
            : new BatchJobStatus(BatchJobState.Failed, "results file missing; the shard must be submitted again"));

    public async IAsyncEnumerable<EmbeddingResult> ReadResultsAsync(string jobName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = ResultsPath(jobName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Job '{jobName}' has no results file; the shard must be submitted again.", path);
        }

        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan));
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var result = Parse(line, LocalJsonContext.Default.LocalResultLine, path, lineNumber);
            yield return new EmbeddingResult(result.Key, result.Vectors, result.Error);
        }
    }

    /// <summary>
    /// Nothing to release: the job's results file is local, cost nothing, and is what a redelivered collect of the
    /// same shard reads again; it goes with the data dir.
    /// </summary>
    public Task ReleaseJobAsync(string jobName, string? release, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// The query generators: text goes to <see cref="TextSpace"/> (MiniLM), an image to <see cref="ImageSpace"/>
    /// (ResNet18); a text-and-image query embeds each part into its own space, so there is no fused generator.
    /// </summary>
    public QueryEmbedders Queries => _queries ??= new(ProviderName,
    [
        new(TextSpace, Text: new QueryEmbeddingGenerator<string>(Metadata(MiniLmTextEncoder.Dimensions), EmbedQueryTextAsync)),
        new(ImageSpace, Image: new QueryEmbeddingGenerator<DataContent>(Metadata(ResNetImageEncoder.Dimensions), EmbedQueryImageAsync)),
    ]);

    public void Dispose()
    {
        _text.Dispose();
        _image.Dispose();
    }

    /// <summary>The model id recorded with every vector: it changes with the text model, so spaces are never mixed.</summary>
    public static string ModelFor(LocalTextModel textModel) => textModel switch
    {
        LocalTextModel.ArcticXs => ArcticModel,
        _ => Model,
    };

    private EmbeddingGeneratorMetadata Metadata(int dimensions) => new(ProviderName, null, ModelId, dimensions);

    private Task<float[]> EmbedQueryTextAsync(string text, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("The query text is empty.", nameof(text));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_text.Embed([_text.QueryPrefix + text], cancellationToken)[0]);
    }

    private Task<float[]> EmbedQueryImageAsync(DataContent image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        cancellationToken.ThrowIfCancellationRequested();
        float[] pixels;
        try
        {
            pixels = ResNetImageEncoder.LoadPixels(image.Data.Span);
        }
        catch (Exception e) when (e is ImageFormatException or InvalidImageContentException)
        {
            throw new ArgumentException($"The query image ({image.MediaType}) could not be decoded: {e.Message}", nameof(image), e);
        }

        var vector = _image.Embed(pixels);
        return VectorMath.TryNormalize(vector)
            ? Task.FromResult(vector)
            : throw new ArgumentException("The query image has no features (blank image?).", nameof(image));
    }

    private async Task EmbedShardAsync(string shardPath, Stream output, JobCounts counts, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(new FileStream(shardPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan));
        var chunk = new List<LocalShardLine>(ChunkSize);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            chunk.Add(Parse(line, LocalJsonContext.Default.LocalShardLine, shardPath, lineNumber));
            if (chunk.Count == ChunkSize)
            {
                await EmbedChunkAsync(chunk, output, counts, cancellationToken);
                chunk.Clear();
            }
        }

        if (chunk.Count > 0)
        {
            await EmbedChunkAsync(chunk, output, counts, cancellationToken);
        }
    }

    private async Task EmbedChunkAsync(List<LocalShardLine> chunk, Stream output, JobCounts counts, CancellationToken cancellationToken)
    {
        // Decoding and resizing photos is managed CPU work that does not parallelise inside ONNX Runtime, so it
        // runs across cores first; a bad file becomes that product's error, never the whole shard's.
        var pixels = new float[]?[chunk.Count];
        var errors = new string?[chunk.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.IntraOpNumThreads, CancellationToken = cancellationToken };
        Parallel.For(0, chunk.Count, parallel, i =>
        {
            try
            {
                pixels[i] = ResNetImageEncoder.LoadPixels(chunk[i].Image);
            }
            catch (Exception e)
            {
                errors[i] = $"image {DescribeImageError(chunk[i].Image, e)}";
            }
        });

        var texts = _text.Embed(chunk.ConvertAll(c => c.Text), cancellationToken);
        for (var i = 0; i < chunk.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LocalResultLine result;
            if (pixels[i] is { } itemPixels)
            {
                var image = _image.Embed(itemPixels);
                result = VectorMath.TryNormalize(image)
                    ? new LocalResultLine(chunk[i].Key, new Dictionary<string, float[]> { [TextSpace] = texts[i], [ImageSpace] = image }, null)
                    : new LocalResultLine(chunk[i].Key, null, "image has no features (blank image?)");
            }
            else
            {
                result = new LocalResultLine(chunk[i].Key, null, errors[i]);
            }

            counts.Items++;
            if (result.Error is not null)
            {
                counts.Errors++;
            }

            await output.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(result, LocalJsonContext.Default.LocalResultLine), cancellationToken);
            await output.WriteAsync(s_newLine, cancellationToken);
        }
    }

    private string ResultsPath(string jobName)
    {
        if (string.IsNullOrWhiteSpace(jobName) || jobName is "." or ".." || jobName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
            || jobName.Contains('\\'))
        {
            throw new ArgumentException($"'{jobName}' is not a valid local job name; it must be usable as a file name.", nameof(jobName));
        }

        return Path.Combine(paths.Jobs, jobName + ".jsonl");
    }

    private static T Parse<T>(string line, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string path, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize(line, type)
                ?? throw new InvalidDataException($"Line {lineNumber} of '{path}' is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Line {lineNumber} of '{path}' is not valid JSON: {e.Message}", e);
        }
    }

    private static string DescribeImageError(string path, Exception error) => error switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"file '{path}' does not exist",
        UnknownImageFormatException => $"'{path}' is not in a known image format",
        InvalidImageContentException or ImageFormatException => $"'{path}' could not be decoded: {error.Message}",
        _ => $"'{path}' could not be read: {error.Message}",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Local job {JobName} already has results; not embedding it again")]
    private partial void LogResultsReused(string jobName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local job {JobName} embedded {Items} items ({Errors} errors) in {ElapsedMs} ms")]
    private partial void LogJobCompleted(string jobName, int items, int errors, long elapsedMs);

    private sealed class JobCounts
    {
        public int Items { get; set; }

        public int Errors { get; set; }
    }
}
