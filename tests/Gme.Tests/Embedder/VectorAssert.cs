namespace Gme.Tests.Embedder;

internal static class VectorAssert
{
    public static void UnitLength(float[] vector, int dimensions)
    {
        Assert.Equal(dimensions, vector.Length);
        Assert.All(vector, v => Assert.True(float.IsFinite(v), "vector holds a non-finite value"));
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 4);
    }

    /// <summary>Cosine similarity of two unit vectors.</summary>
    public static double Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
