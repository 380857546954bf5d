using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gme.Gemini;

/// <summary>
/// The display name of a shard's remote file and batch: <c>gme-{identity}-{shardId}</c>. A display name is free text
/// that two ledgers on one account both see, so the identity hashes everything that changes the vectors: the shard's
/// bytes, the model, the output size and the document format version. A batch is only adopted under the same name.
/// A shard submitted again after a job ended without results (attempt N &gt; 1) gets <c>-a{N}</c> appended, so a batch of
/// an earlier, lost attempt is never adopted for the current one. Shard ids (<c>shard-{hex}</c>) hold no such suffix.
/// </summary>
internal static class GeminiRemoteName
{
    public const string Prefix = "gme-";
    private const int HashChars = 16;

    private const string AttemptMark = "-a";

    public static async Task<string> ForAsync(string shardId, string shardPath, GeminiOptions options, int attempt, CancellationToken ct)
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
        var name = Prefix + Convert.ToHexStringLower(hash.GetHashAndReset())[..HashChars] + "-" + shardId;
        return attempt > 1 ? name + AttemptMark + attempt.ToString(CultureInfo.InvariantCulture) : name;
    }

    /// <summary>The shard a display name belongs to; null for names Gme did not give. Names of older versions were the bare shard id.</summary>
    public static string? ShardIdOf(string? displayName)
    {
        if (displayName is null)
        {
            return null;
        }

        var start = Prefix.Length + HashChars + 1;
        if (!displayName.StartsWith(Prefix, StringComparison.Ordinal) || displayName.Length <= start || displayName[start - 1] != '-')
        {
            return null;
        }

        var rest = displayName[start..];
        var mark = rest.LastIndexOf(AttemptMark, StringComparison.Ordinal);
        return mark > 0 && mark + AttemptMark.Length < rest.Length && rest[(mark + AttemptMark.Length)..].All(char.IsAsciiDigit)
            ? rest[..mark]
            : rest;
    }
}
