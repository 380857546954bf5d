namespace Gme.VectorStores.Embedded;

/// <summary>What a point-log record does. The values are stored on disk: never renumber them.</summary>
internal enum LogOperation : byte
{
    Upsert = 1,
    Delete = 2,
}
