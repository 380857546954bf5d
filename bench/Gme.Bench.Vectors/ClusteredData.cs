using System.Numerics.Tensors;

namespace Gme.Bench.Vectors;

/// <summary>
/// Unit vectors in clusters (like product embeddings: many near-duplicates per category), plus queries drawn near the
/// same centres but not in the set, and a 10%-selective "category" label for filtered searches.
/// </summary>
internal sealed record ClusteredData(int Dimensions, float[][] Vectors, int[] Categories, float[][] Queries)
{
    public const int CategoryCount = 10;

    public static ClusteredData Generate(int points, int dimensions, int queries, int seed)
    {
        const int clusters = 200;
        var random = new Random(seed);
        var centres = Enumerable.Range(0, clusters).Select(_ => Unit(Gaussian(random, dimensions, 1f))).ToArray();
        var vectors = new float[points][];
        var categories = new int[points];
        var spread = 1.2f / MathF.Sqrt(dimensions);
        for (var i = 0; i < points; i++)
        {
            var c = random.Next(clusters);
            vectors[i] = Unit(Add(centres[c], Gaussian(random, dimensions, spread)));
            categories[i] = random.Next(CategoryCount);
        }

        var queryVectors = Enumerable.Range(0, queries)
            .Select(_ => Unit(Add(centres[random.Next(clusters)], Gaussian(random, dimensions, spread))))
            .ToArray();
        return new ClusteredData(dimensions, vectors, categories, queryVectors);
    }

    private static float[] Gaussian(Random random, int dimensions, float sigma)
    {
        var v = new float[dimensions];
        for (var i = 0; i < dimensions; i += 2)
        {
            // Box-Muller: two normal samples per pair of uniforms.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var r = Math.Sqrt(-2.0 * Math.Log(u1)) * sigma;
            v[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < dimensions)
            {
                v[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
            }
        }

        return v;
    }

    private static float[] Add(float[] a, float[] b)
    {
        var sum = new float[a.Length];
        TensorPrimitives.Add(a, b, sum);
        return sum;
    }

    private static float[] Unit(float[] v)
    {
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }
}
