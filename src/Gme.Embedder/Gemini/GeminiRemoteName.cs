using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gme.Embedder.Gemini;

/// <summary>
/// The display name of a shard's remote file and batch: <c>gme-{identity}-{shardId}</c>. A display name is free text
/// that two ledgers on one account both see, so the identity hashes everything that changes the vectors: the shard's
/// bytes, the model, the output size and the document format version. A batch is only adopted under the same name.
/// </summary>
internal static class GeminiRemoteName
{
    public const string Prefix = "gme-";
    private const int HashChars = 16;

    public static async Task<string> ForAsync(string shardId, string shardPath, GeminiOptions options, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var stream = new FileStream(shardPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"\n{options.Model}\n{options.OutputDimensionality}\n{GeminiShardFile.FormatVersion}")));
        return Prefix + Convert.ToHexStringLower(hash.GetHashAndReset())[..HashChars] + "-" + shardId;
    }

    /// <summary>The shard a display name belongs to; null for names Gme did not give. Names of older versions were the bare shard id.</summary>
    public static string? ShardIdOf(string? displayName)
    {
        if (displayName is null)
        {
            return null;
        }

        var start = Prefix.Length + HashChars + 1;
        return displayName.StartsWith(Prefix, StringComparison.Ordinal) && displayName.Length > start && displayName[start - 1] == '-'
            ? displayName[start..]
            : null;
    }
}
