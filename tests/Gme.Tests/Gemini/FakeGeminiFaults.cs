namespace Gme.Tests.Gemini;

/// <summary>What the fake Gemini server does wrong, and how often. Rates are shares of calls (or of batches, lines).</summary>
internal sealed class FakeGeminiFaults
{
    /// <summary>Share of API calls answered with an error instead of being served.</summary>
    public double CallFaultRate { get; set; }

    /// <summary>Share of batches that end FAILED, EXPIRED, or SUCCEEDED with a responses file that cannot be downloaded.</summary>
    public double FailedBatchRate { get; set; }
    public double ExpiredBatchRate { get; set; }
    public double UndownloadableRate { get; set; }

    /// <summary>Share of result lines that carry an error, are missing, or are duplicated.</summary>
    public double LineErrorRate { get; set; }
    public double MissingLineRate { get; set; }
    public double DuplicateLineRate { get; set; }

    /// <summary>Keys whose every embedding fails (a permanently bad product).</summary>
    public HashSet<string> PoisonKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>RetryInfo delay sent with 429s that carry one.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    public int Seed { get; set; } = 42;
}
