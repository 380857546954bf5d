namespace Gme;

/// <summary>Names shared by the AppHost and the services, linked into both so they cannot drift apart.</summary>
internal static class ResourceNames
{
    public const string State = "gme-state";
    public const string Bus = "gme-bus";
    public const string Vectors = "gme-vectors";
    public const string Ingest = "gme-ingest";
    public const string Embedder = "gme-embedder";
    public const string Indexer = "gme-indexer";
    public const string Search = "gme-search";
}
