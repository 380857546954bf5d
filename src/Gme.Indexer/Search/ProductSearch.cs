using Gme.Core;
using Gme.Core.Embeddings;
using Gme.Core.Vectors;
using Gme.Indexer.Upserts;
using Microsoft.Extensions.Options;

namespace Gme.Indexer.Search;

/// <summary>
/// The one search code path behind `gme search` and the HTTP API, so both return the same results. A text query
/// searches every space that accepts text, an image query every space that accepts images; when several vectors
/// are involved (text + image, or "similar to") their rankings are fused with reciprocal rank fusion.
/// </summary>
public sealed class ProductSearch(IEmbeddingProvider provider, IVectorStore store, IOptions<GmeOptions> options)
{
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Top is < 1 or > SearchRequest.MaxTop)
        {
            throw new SearchException($"top must be between 1 and {SearchRequest.MaxTop} (got {request.Top}).");
        }

        var collection = options.Value.Collection;
        if (await store.GetCollectionAsync(collection, cancellationToken) is null)
        {
            throw new SearchException($"collection '{collection}' does not exist yet: run the pipeline first (gme run).");
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

        var limit = request.Top + (exclude is null ? 0 : 1);
        var hits = queries.Count == 1
            ? await store.SearchAsync(collection, queries[0].VectorName, queries[0].Query, limit, request.Filter, cancellationToken)
            : await FusedSearch.SearchAsync(store, collection, queries, limit, request.Filter, cancellationToken);

        return hits
            .Where(h => h.Id != exclude)
            .Take(request.Top)
            .Select(h => new SearchHit(PointPayload.ProductId(h.Payload) ?? h.Id.ToString(), h.Score, PointPayload.ForDisplay(h.Payload)))
            .ToList();
    }

    private async Task<List<(string, float[])>> EmbedQueriesAsync(SearchRequest request, CancellationToken ct)
    {
        var query = new EmbeddingQuery(string.IsNullOrWhiteSpace(request.Text) ? null : request.Text.Trim(), request.ImagePath);
        if (query.Modality == Modality.None)
        {
            throw new SearchException("give a text query, an image (--image) or a product to match (--similar).");
        }

        if (request.ImagePath is not null && !File.Exists(request.ImagePath))
        {
            throw new SearchException($"image '{request.ImagePath}' does not exist.");
        }

        var result = new List<(string, float[])>();
        foreach (var space in provider.Spaces)
        {
            var accepted = space.Queries & query.Modality;
            if (accepted == Modality.None)
            {
                continue;
            }

            // Give each space only the parts it accepts (a text-only space never sees the image, and vice versa).
            var part = new EmbeddingQuery(
                accepted.HasFlag(Modality.Text) ? query.Text : null,
                accepted.HasFlag(Modality.Image) ? query.ImagePath : null);
            result.Add((space.Name, await provider.EmbedQueryAsync(part, space.Name, ct)));
        }

        return result.Count > 0
            ? result
            : throw new SearchException($"the '{provider.Name}' model accepts no {query.Modality.ToString().ToLowerInvariant()} queries.");
    }
}
