using System.Runtime.CompilerServices;
using Gme.Core.Errors;
using Gme.Core.Sources;

namespace Gme.Sources;

/// <summary>
/// Classifies, once, what goes wrong while a catalogue file is read. A file the user must fix (missing, unreadable,
/// not the format its name says, damaged) becomes a <see cref="BadInputException"/> naming the file and the reason,
/// which the bus never retries; an I/O error that may pass (a timeout, a lock, a network share) stays as it is, so
/// it is retried. Row-level problems never get here: the sources yield them as parse-error rows.
/// </summary>
internal static class CatalogueErrors
{
    /// <summary>Checks the file, then reads it, turning permanent failures into <see cref="BadInputException"/>.</summary>
    public static async IAsyncEnumerable<SourceRow> ReadAsync(
        string path, string format, Func<CancellationToken, IAsyncEnumerable<SourceRow>> read,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        CatalogueFile.EnsureRegularFile(path);
        var rows = read(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                SourceRow row;
                try
                {
                    if (!await rows.MoveNextAsync())
                    {
                        yield break;
                    }

                    row = rows.Current;
                }
                catch (Exception ex) when (Classify(path, format, ex) is { } bad)
                {
                    throw bad;
                }

                yield return row;
            }
        }
        finally
        {
            await rows.DisposeAsync();
        }
    }

    /// <summary>The <see cref="BadInputException"/> for a permanent failure, or null to let the exception through.</summary>
    public static BadInputException? Classify(string path, string format, Exception ex) => ex switch
    {
        BadInputException or OperationCanceledException => null,
        FileNotFoundException or DirectoryNotFoundException => new BadInputException(path, "file not found", ex),
        UnauthorizedAccessException => new BadInputException(path, "permission denied", ex),
        PathTooLongException => new BadInputException(path, "path too long", ex),
        EndOfStreamException => new BadInputException(path, $"{format} file ends early (truncated or damaged)", ex),

        // The Parquet library reports lengths that point past the end of the file as IOException, and seeks to the
        // offsets a damaged footer holds (the file stream refuses a negative one, also with IOException).
        IOException when FromParquet(ex) =>
            new BadInputException(path, $"damaged {format} file ({OneLine(ex.Message)})", ex),

        // Other I/O errors (a timeout, a lock, a network share going away) may pass on a retry.
        IOException => null,

        // Anything else a reader throws means the bytes are not what the format promises: the Parquet library in
        // particular reports damaged pages with ArgumentOutOfRange, IndexOutOfRange, InvalidOperation and the like.
        _ => new BadInputException(path, $"damaged or not a {format} file ({ex.GetType().Name}: {OneLine(ex.Message)})", ex),
    };

    private static bool FromParquet(Exception ex) =>
        ex.Source?.StartsWith("Parquet", StringComparison.Ordinal) == true
        || ex.StackTrace?.Contains(" Parquet.", StringComparison.Ordinal) == true;

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ");
        return line.Length <= 200 ? line : line[..200] + "…";
    }
}
