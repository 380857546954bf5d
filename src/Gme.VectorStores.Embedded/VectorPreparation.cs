using System.Numerics.Tensors;
using Gme.Core.Vectors;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// Checks points and queries against a collection and copies them into stored form (cosine vectors normalised), so
/// nothing the caller does with its arrays afterwards can change the index.
/// </summary>
internal static class VectorPreparation
{
    public static LogRecord Point(CollectionSpec spec, VectorPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (point.Vectors is null || point.Payload is null)
        {
            throw new ArgumentException($"Point {point.Id} has no vectors or no payload.", nameof(point));
        }

        var vectors = new Dictionary<string, float[]>(spec.Vectors.Count, StringComparer.Ordinal);
        foreach (var (name, vectorSpec) in spec.Vectors)
        {
            if (!point.Vectors.TryGetValue(name, out var vector) || vector is null)
            {
                throw new ArgumentException($"Point {point.Id}: vector '{name}' is missing.", nameof(point));
            }

            if (Problem(vector, vectorSpec) is { } problem)
            {
                throw new ArgumentException($"Point {point.Id}: vector '{name}' is invalid: {problem}.", nameof(point));
            }

            vectors[name] = Stored(vector, vectorSpec.Distance);
        }

        if (point.Vectors.Count != spec.Vectors.Count)
        {
            var unknown = point.Vectors.Keys.First(k => !spec.Vectors.ContainsKey(k));
            throw new ArgumentException($"Point {point.Id}: vector '{unknown}' is not in collection '{spec.Name}'.", nameof(point));
        }

        var payload = new Dictionary<string, string?>(point.Payload, StringComparer.Ordinal);
        return new LogRecord(LogOperation.Upsert, point.Id, vectors.AsReadOnly(), payload.AsReadOnly());
    }

    public static float[] Query(CollectionSpec spec, string vectorName, ReadOnlySpan<float> query)
    {
        if (!spec.Vectors.TryGetValue(vectorName, out var vectorSpec))
        {
            throw new ArgumentException($"Collection '{spec.Name}' has no vector '{vectorName}'.", nameof(vectorName));
        }

        if (Problem(query, vectorSpec) is { } problem)
        {
            throw new ArgumentException($"Query for vector '{vectorName}' is invalid: {problem}.", nameof(query));
        }

        return Stored(query, vectorSpec.Distance);
    }

    // A zero vector has no direction, so only cosine refuses it; dot and Euclid can score it.
    private static string? Problem(ReadOnlySpan<float> vector, VectorSpec spec)
    {
        if (spec.Distance == Distance.Cosine)
        {
            return VectorValidator.Check(vector, spec.Dimensions);
        }

        if (vector.Length != spec.Dimensions)
        {
            return $"expected {spec.Dimensions} dimensions, got {vector.Length}";
        }

        for (var i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
            {
                return $"value at index {i} is {(float.IsNaN(vector[i]) ? "NaN" : "infinite")}";
            }
        }

        return null;
    }

    private static float[] Stored(ReadOnlySpan<float> vector, Distance distance)
    {
        var copy = vector.ToArray();
        if (distance == Distance.Cosine)
        {
            TensorPrimitives.Divide(copy, TensorPrimitives.Norm(copy), copy);
        }

        return copy;
    }
}
