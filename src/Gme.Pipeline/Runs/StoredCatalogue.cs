namespace Gme.Pipeline.Runs;

/// <summary>
/// A catalogue file the <see cref="CatalogueInbox"/> holds: its <paramref name="Path"/> (the content hash and the type's
/// extension, inside the inbox), and whether this request <paramref name="Created"/> it or found the same content there.
/// </summary>
public sealed record StoredCatalogue(string Path, bool Created);
