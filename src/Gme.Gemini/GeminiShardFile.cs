using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Gme.Core.Embeddings;
using Gme.Core.Storage;

namespace Gme.Gemini;

/// <summary>
/// Writes and reads the JSONL request file of a batch job: one <c>{"key","request"}</c> line per product, the request
/// one Content with the document text part and the photo as inline base64 JPEG, so Embedding 2 returns one vector.
/// </summary>
internal sealed class GeminiShardFile(GeminiOptions options)
{
    private static readonly byte[] s_newLine = "\n"u8.ToArray();

    /// <summary>Version of the line format (document text form, parts); part of a batch's remote identity.</summary>
    public const int FormatVersion = 1;

    public string ModelPath => "models/" + options.Model;

    /// <summary>The document form Google gives for Embedding 2 (no taskType); products carry no separate title here.</summary>
    public static string DocumentText(string text) => "title: none | text: " + text;

    public static string QueryText(string text) => "task: search result | query: " + text;

    public long EstimateTextTokens(int chars) => (long)Math.Ceiling(chars / options.CharsPerToken);

    public async Task<ShardFileInfo> WriteAsync(IReadOnlyList<EmbeddingInput> items, string path, CancellationToken ct)
    {
        if (items.Count > options.MaxLinesPerShard)
        {
            throw new InvalidOperationException($"shard {Path.GetFileName(path)} has {items.Count} items; Gme:Gemini:MaxLinesPerShard is {options.MaxLinesPerShard}");
        }

        long tokens = 0;
        long bytes = 0;
        await AtomicFile.WriteAsync(path, async stream =>
        {
            foreach (var item in items)
            {
                if (!File.Exists(item.ImagePath))
                {
                    throw new FileNotFoundException($"product {item.Key}: image {item.ImagePath} is missing from the image cache");
                }

                var image = await File.ReadAllBytesAsync(item.ImagePath, ct);
                var document = DocumentText(item.Text);
                var line = WriteLine(item.Key, document, image);
                bytes += line.Length + 1;
                if (bytes > options.MaxShardBytes)
                {
                    throw new InvalidOperationException(
                        $"shard {Path.GetFileName(path)} grows past Gme:Gemini:MaxShardBytes ({options.MaxShardBytes}) at product {item.Key}; lower MaxLinesPerShard");
                }

                tokens += EstimateTextTokens(document.Length) + options.TokensPerImage;
                await stream.WriteAsync(line, ct);
                await stream.WriteAsync(s_newLine, ct);
            }
        }, ct);
        return new ShardFileInfo(items.Count, new FileInfo(path).Length, tokens);
    }

    /// <summary>The body of one EmbedContentRequest (with model, as batchEmbedContents requires).</summary>
    public byte[] WriteRequest(string? text, byte[]? jpeg)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteRequest(json, text, jpeg);
        }

        return buffer.ToArray();
    }

    private byte[] WriteLine(string key, string text, byte[] jpeg)
    {
        using var buffer = new MemoryStream(jpeg.Length * 4 / 3 + text.Length + 256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            json.WritePropertyName("request");
            WriteRequest(json, text, jpeg);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private void WriteRequest(Utf8JsonWriter json, string? text, byte[]? jpeg)
    {
        json.WriteStartObject();
        json.WriteString("model", ModelPath);
        json.WriteStartObject("content");
        json.WriteStartArray("parts");
        if (!string.IsNullOrWhiteSpace(text))
        {
            json.WriteStartObject();
            json.WriteString("text", text);
            json.WriteEndObject();
        }

        if (jpeg is not null)
        {
            json.WriteStartObject();
            json.WriteStartObject("inlineData");
            json.WriteString("mimeType", "image/jpeg");
            json.WriteBase64String("data", jpeg);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteNumber("outputDimensionality", options.OutputDimensionality);
        json.WriteEndObject();
    }

    /// <summary>Reads the lines back; the request JSON is kept only for keys <paramref name="wantRequest"/> selects.</summary>
    public async IAsyncEnumerable<ShardLine> ReadAsync(string path, Func<string, bool>? wantRequest, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var number = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var key = doc.RootElement.TryGetProperty("key", out var k) ? k.GetString() : null;
            if (key is null || !doc.RootElement.TryGetProperty("request", out var request))
            {
                throw new InvalidDataException($"shard {Path.GetFileName(path)} line {number}: no key or request");
            }

            var chars = 0;
            var images = 0;
            foreach (var part in request.GetProperty("content").GetProperty("parts").EnumerateArray())
            {
                if (part.TryGetProperty("text", out var t))
                {
                    chars += t.GetString()?.Length ?? 0;
                }
                else
                {
                    images++;
                }
            }

            yield return new ShardLine(key, EstimateTextTokens(chars), images, wantRequest?.Invoke(key) == true ? request.GetRawText() : null);
        }
    }
}
