using System.Text.Json;
using Gme.Core.Storage;

namespace Gme.Gemini;

/// <summary>
/// Spend, one small JSON file per job under <c>jobs/gemini-spend</c>: written by the job's release after its collect
/// committed (or when a synchronous call was paid), keyed by job, so a repeated release overwrites and never counts
/// twice. Billed tokens (usageMetadata) where the results reported them, the estimate otherwise (<c>Estimated</c>).
/// The files hold counts and dollars only, never a key or a vector.
/// </summary>
public sealed class GeminiSpendLedger(DataPaths paths)
{
    private string Folder => Path.Combine(paths.Jobs, "gemini-spend");

    public async Task RecordAsync(GeminiSpendEntry entry, CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        var file = Path.Combine(Folder, entry.Job.Replace('/', '_').Replace(':', '_') + ".json");
        await AtomicFile.WriteAsync(file, stream => JsonSerializer.SerializeAsync(stream, entry, cancellationToken: ct), ct);
    }

    public async Task<IReadOnlyList<GeminiSpendEntry>> ReadAllAsync(CancellationToken ct)
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        var list = new List<GeminiSpendEntry>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            await using var stream = File.OpenRead(file);
            if (await JsonSerializer.DeserializeAsync<GeminiSpendEntry>(stream, cancellationToken: ct) is { } entry)
            {
                list.Add(entry);
            }
        }

        return list;
    }

    public async Task<double> TotalUsdAsync(CancellationToken ct) => (await ReadAllAsync(ct)).Sum(e => e.Usd);
}
