using Gme.Core;
using Gme.Core.Embeddings;
using Gme.Core.Lexical;
using Gme.Core.Vectors;
using Gme.Pipeline.Stages;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Search;

/// <summary>
/// The one search code path behind `gme search` and the HTTP API, so both return the same results. A text query
/// searches every space that accepts text, an image query every space that accepts images; when several vectors
/// are involved (text + image, or "similar to") their rankings are fused with reciprocal rank fusion. Queries are embedded
/// by the provider's Microsoft.Extensions.AI generators (<see cref="QueryEmbedders"/>). A text query (without a photo)
/// also has a lexical leg, BM25 over the products' text fields: <see cref="SearchMode.Hybrid"/> (the default) fuses it
/// with the dense legs by reciprocal rank, <see cref="SearchMode.Lexical"/> uses it alone.
/// </summary>
public sealed class ProductSearch(
    QueryEmbedders queries,
    IVectorStore store,
    IOptions<GmeOptions> options,
    LexicalEncoder? lexical = null)
{
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Top is < 1 or > SearchRequest.MaxTop)
        {
            throw new SearchException($"top must be between 1 and {SearchRequest.MaxTop} (got {request.Top}).");
        }

        var collection = request.Collection ?? options.Value.Collection;
        if (await store.GetCollectionAsync(collection, cancellationToken) is null)
        {
            throw new SearchException($"collection '{collection}' does not exist yet: run the pipeline first (gme run).");
        }

        var text = string.IsNullOrWhiteSpace(request.Text) ? null : request.Text.Trim();
        var wordsOnly = text is not null && request.SimilarTo is null && request.Image is null && request.ImagePath is null;
        if (wordsOnly && request.Mode == SearchMode.Lexical)
        {
            var words = await store.SearchLexicalAsync(collection, Lexical.QueryWithSynonyms(text), request.Top, request.Filter, cancellationToken);
            return words.Select(h => Hit(h, RetrievalLegs.Lexical)).ToList();
        }

        Guid? exclude = null;
        List<(string VectorName, float[] Query)> queries;
        if (request.SimilarTo is { } productId)
        {
            var pointId = PointIds.FromProductId(productId);
            var points = await store.RetrieveAsync(collection, [pointId], withVectors: true, cancellationToken);
            var point = (points.Count > 0 ? points[0] : null)
                ?? throw new SearchException($"product '{productId}' is not in collection '{collection}'.");
            queries = point.Vectors.Select(kv => (kv.Key, kv.Value)).ToList();
            exclude = pointId;
        }
        else
        {
            queries = await EmbedQueriesAsync(request, cancellationToken);
        }

        if (wordsOnly && request.Mode == SearchMode.Hybrid)
        {
            var hybrid = new HybridQuery(queries, Lexical.QueryWithSynonyms(text), HybridQuery.CandidatesFor(request.Top))
            {
                Fusion = Lexical.Options.Fusion,
                RrfK = Lexical.Options.RrfK,
            };
            var fused = await store.SearchHybridAsync(collection, hybrid, request.Top, request.Filter, cancellationToken);
            return fused.Select(h => Hit(h.Point, h.Legs)).ToList();
        }

        var limit = request.Top + (exclude is null ? 0 : 1);
        var hits = queries.Count == 1
            ? await store.SearchAsync(collection, queries[0].VectorName, queries[0].Query, limit, request.Filter, cancellationToken)
            : await FusedSearch.SearchAsync(store, collection, queries, limit, request.Filter, cancellationToken);

        return hits
            .Where(h => h.Id != exclude)
            .Take(request.Top)
            .Select(h => Hit(h, RetrievalLegs.Dense))
            .ToList();
    }

    private LexicalEncoder Lexical => lexical ?? LexicalEncoder.Default;

    private static SearchHit Hit(ScoredPoint point, RetrievalLegs legs) =>
        new(PointPayload.ProductId(point.Payload) ?? point.Id.ToString(), point.Score, PointPayload.ForDisplay(point.Payload))
        {
            Legs = LegNames(legs),
        };

    private static string[] LegNames(RetrievalLegs legs) =>
        [.. (legs.HasFlag(RetrievalLegs.Dense) ? ["dense"] : Array.Empty<string>()),
         .. (legs.HasFlag(RetrievalLegs.Lexical) ? ["lexical"] : Array.Empty<string>())];

    private async Task<List<(string, float[])>> EmbedQueriesAsync(SearchRequest request, CancellationToken ct)
    {
        var text = string.IsNullOrWhiteSpace(request.Text) ? null : request.Text.Trim();
        var image = request.Image ?? await ReadImageAsync(request.ImagePath, ct);
        var modality = (text is null ? Modality.None : Modality.Text) | (image is null ? Modality.None : Modality.Image);
        if (modality == Modality.None)
        {
            throw new SearchException("give a text query, an image (--image) or a product to match (--similar).");
        }

        var result = new List<(string, float[])>();
        foreach (var space in queries.Spaces)
        {
            // A fused space takes both parts in one vector; otherwise each space gets only the part it accepts (a
            // text-only space never sees the image, and vice versa; a space taking both without a fused generator, which
            // no provider has today, gets the text).
            var vector = modality == (Modality.Text | Modality.Image) && space.TextAndImage is { } both
                ? await both.GenerateVectorAsync([new TextContent(text), image!], cancellationToken: ct)
                : (space.Accepts & modality) switch
                {
                    Modality.Text | Modality.Image or Modality.Text => await space.Text!.GenerateVectorAsync(text!, cancellationToken: ct),
                    Modality.Image => await space.Image!.GenerateVectorAsync(image!, cancellationToken: ct),
                    _ => (ReadOnlyMemory<float>?)null,
                };
            if (vector is { } v)
            {
                result.Add((space.Name, v.ToArray()));
            }
        }

        return result.Count > 0
            ? result
            : throw new SearchException($"the '{queries.ProviderName}' model accepts no {modality.ToString().ToLowerInvariant()} queries.");
    }

    /// <summary>Reads a query image file once; the generators get its bytes, never the path.</summary>
    private static async Task<DataContent?> ReadImageAsync(string? path, CancellationToken ct)
    {
        if (path is null)
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new SearchException($"image '{path}' does not exist.");
        }

        var mediaType = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".webp" => "image/webp",
            ".gif" => "image/gif",
            ".bmp" => "image/bmp",
            _ => "image/jpeg",
        };
        return new DataContent(await File.ReadAllBytesAsync(path, ct), mediaType);
    }
}
