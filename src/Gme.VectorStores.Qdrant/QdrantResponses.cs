using Google.Protobuf.Collections;
using Gme.Core.Vectors;
using Qdrant.Client.Grpc;
using GrpcDistance = Qdrant.Client.Grpc.Distance;
using GrpcScoredPoint = Qdrant.Client.Grpc.ScoredPoint;
using ScoredPoint = Gme.Core.Vectors.ScoredPoint;
using VectorDistance = Gme.Core.Vectors.Distance;

namespace Gme.VectorStores.Qdrant;

/// <summary>Maps Qdrant's answers back to the store's types.</summary>
internal static class QdrantResponses
{
    public static CollectionSpec Spec(string name, CollectionInfo info)
    {
        var config = info.Config?.Params?.VectorsConfig
            ?? throw new InvalidDataException($"Qdrant returned no vector configuration for collection '{name}'.");
        if (config.ConfigCase != VectorsConfig.ConfigOneofCase.ParamsMap)
        {
            // The seed's collections always use named vectors; an unnamed one was made by something else.
            throw new InvalidOperationException($"Qdrant collection '{name}' has an unnamed vector; Gme needs named vectors.");
        }

        var vectors = config.ParamsMap.Map.ToDictionary(
            v => v.Key,
            v => new VectorSpec(checked((int)v.Value.Size), FromGrpc(v.Value.Distance)),
            StringComparer.Ordinal);
        var keywords = info.PayloadSchema.Where(p => p.Value.DataType == PayloadSchemaType.Keyword).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        return new CollectionSpec(name, vectors, keywords);
    }

    /// <summary>Whether the collection has the lexical leg (collections made before it have only dense vectors).</summary>
    public static bool HasLexical(CollectionInfo info) =>
        info.Config?.Params?.SparseVectorsConfig?.Map.ContainsKey(QdrantRequests.SparseVectorName) == true;

    /// <summary>Qdrant scores Euclid as a distance (lower is nearer); the store's contract is higher-is-better.</summary>
    public static ScoredPoint Hit(GrpcScoredPoint point, VectorDistance distance) =>
        new(Guid.Parse(point.Id.Uuid), distance == VectorDistance.Euclid ? -point.Score : point.Score, Payload(point.Payload));

    public static VectorPoint Point(RetrievedPoint point)
    {
        var vectors = point.Vectors?.Vectors?.Vectors
            .Where(v => v.Key != QdrantRequests.SparseVectorName)
            .ToDictionary(v => v.Key, v => Dense(v.Value), StringComparer.Ordinal)
            ?? new Dictionary<string, float[]>(StringComparer.Ordinal);
        return new VectorPoint(Guid.Parse(point.Id.Uuid), vectors.AsReadOnly(), Payload(point.Payload));
    }

    public static IReadOnlyDictionary<string, string?> Payload(MapField<string, Value> payload) =>
        payload.ToDictionary(
            p => p.Key,
            p => p.Value.KindCase switch
            {
                Value.KindOneofCase.StringValue => p.Value.StringValue,
                Value.KindOneofCase.NullValue or Value.KindOneofCase.None => null,
                _ => p.Value.ToString(),
            },
            StringComparer.Ordinal).AsReadOnly();

    public static VectorDistance FromGrpc(GrpcDistance distance) => distance switch
    {
        GrpcDistance.Cosine => VectorDistance.Cosine,
        GrpcDistance.Dot => VectorDistance.Dot,
        GrpcDistance.Euclid => VectorDistance.Euclid,
        _ => throw new InvalidOperationException($"Qdrant distance {distance} is not supported by Gme."),
    };

    // Servers before the dense/sparse split fill the old flat field instead of Dense.
#pragma warning disable CS0612, CS0618 // Data is deprecated but still what older servers send.
    private static float[] Dense(VectorOutput vector) => vector.Dense is { } dense ? [.. dense.Data] : [.. vector.Data];
#pragma warning restore CS0612, CS0618
}
