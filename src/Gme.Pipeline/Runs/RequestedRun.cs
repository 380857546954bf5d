using Gme.Core.Sources;

namespace Gme.Pipeline.Runs;

/// <summary>
/// What a <c>POST /runs</c> body or upload asks for: the source, how the run list shows it, the collection the body
/// names (null: none; <c>?collection=</c> still wins), and the request member a refusal of the catalogue names
/// (<paramref name="Parameter"/>). For a catalogue the inbox stored, <paramref name="Stored"/> is that file, shown to the
/// client as <paramref name="ShownAs"/> (the upload's name or the URL), never by its path on the service.
/// </summary>
internal sealed record RequestedRun(
    SourceSpec Spec, string Description, string? Collection, string Parameter, StoredCatalogue? Stored = null, string? ShownAs = null)
{
    /// <summary>A refusal's text with the stored file's path on the service replaced by what the client gave.</summary>
    public string Shown(string message) =>
        Stored is null || ShownAs is null ? message : message.Replace(Stored.Path, ShownAs, StringComparison.Ordinal);
}
