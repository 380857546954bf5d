namespace Gme.Pipeline.Evaluation;

/// <summary>
/// Binary-relevance ranking metrics of one result list. <c>relevant</c> flags the hits best first;
/// <c>totalRelevant</c> is how many relevant products the collection holds (recall and the ideal DCG need it).
/// </summary>
public static class RankingMetrics
{
    public static double PrecisionAt(IReadOnlyList<bool> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return relevant.Take(k).Count(r => r) / (double)k;
    }

    public static double RecallAt(IReadOnlyList<bool> relevant, int k, long totalRelevant)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        return totalRelevant <= 0 ? 0 : Math.Min(1.0, relevant.Take(k).Count(r => r) / (double)totalRelevant);
    }

    /// <summary>nDCG@k with gains 1/0 and the log2(rank + 1) discount; the ideal list puts min(k, total) relevant first.</summary>
    public static double NdcgAt(IReadOnlyList<bool> relevant, int k, long totalRelevant)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        var dcg = 0.0;
        for (var i = 0; i < Math.Min(k, relevant.Count); i++)
        {
            dcg += relevant[i] ? 1.0 / Math.Log2(i + 2) : 0;
        }

        var ideal = 0.0;
        for (var i = 0; i < Math.Min(k, totalRelevant); i++)
        {
            ideal += 1.0 / Math.Log2(i + 2);
        }

        return ideal == 0 ? 0 : dcg / ideal;
    }

    /// <summary>1 / the rank of the first relevant hit, 0 when none was returned.</summary>
    public static double ReciprocalRank(IReadOnlyList<bool> relevant)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        for (var i = 0; i < relevant.Count; i++)
        {
            if (relevant[i])
            {
                return 1.0 / (i + 1);
            }
        }

        return 0;
    }
}
