namespace Gme.Core.Runs;

/// <summary>
/// Image cache activity from the ledger: ready and failed images, stored bytes, and rates over the span between the
/// first and the last image update (the download stage's wall time, not the run's).
/// </summary>
public sealed record ImageStats(int Ready, int Failed, long StoredBytes, DateTime? FirstAt, DateTime? LastAt)
{
    public double Seconds => FirstAt is { } first && LastAt is { } last ? Math.Max((last - first).TotalSeconds, 0.001) : 0;

    public double ImagesPerSecond => Seconds > 0 ? (Ready + Failed) / Seconds : 0;

    public double BytesPerSecond => Seconds > 0 ? StoredBytes / Seconds : 0;
}
