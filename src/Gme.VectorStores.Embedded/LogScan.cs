namespace Gme.VectorStores.Embedded;

/// <summary>Where a read of the point log stopped: after the last complete record, and how many it read.</summary>
/// <param name="End">Offset just past the last good record; anything beyond it is an incomplete or corrupt tail.</param>
/// <param name="Records">Good records read.</param>
/// <param name="FileLength">The file's length when the read stopped.</param>
internal readonly record struct LogScan(long End, int Records, long FileLength)
{
    public long TailBytes => FileLength - End;
}
