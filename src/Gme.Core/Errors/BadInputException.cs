namespace Gme.Core.Errors;

/// <summary>
/// Input the user must fix (a malformed or missing catalogue, a file that is not a regular file, a setting that
/// contradicts the data dir): permanent, so it is never retried, and it ends a command with one line and exit 2.
/// The message names the input (file, and row or offset where known) and the reason; it never holds a secret.
/// Row-level problems are not exceptions: they reject that row and the run goes on.
/// </summary>
public sealed class BadInputException : Exception
{
    public BadInputException(string input, string reason, long? row = null, long? offset = null)
        : base(Format(input, reason, row, offset))
    {
        Input = input;
        Reason = reason;
        Row = row;
        Offset = offset;
    }

    public BadInputException(string input, string reason, Exception inner)
        : base(Format(input, reason, null, null), inner)
    {
        Input = input;
        Reason = reason;
    }

    /// <summary>The file, setting or parameter that is wrong.</summary>
    public string Input { get; } = "";

    public string Reason { get; } = "";

    public long? Row { get; }

    public long? Offset { get; }

    private static string Format(string input, string reason, long? row, long? offset)
    {
        var where = row is { } r ? $" row {r}" : offset is { } o ? $" at byte {o}" : "";
        return $"{input}{where}: {reason}";
    }
}
