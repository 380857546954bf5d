using System.Numerics.Tensors;

namespace Gme.Tests.Vectors;

/// <summary>Seeded random vectors, so failures reproduce.</summary>
public static class TestVectors
{
    public static float[] Random(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return vector;
    }

    /// <summary><paramref name="vector"/> plus a little noise: its nearest neighbour among random vectors.</summary>
    public static float[] Near(Random random, float[] vector, float noise = 0.01f)
    {
        var near = new float[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            near[i] = vector[i] + (float)(((random.NextDouble() * 2) - 1) * noise);
        }

        return near;
    }

    public static float[] Normalized(float[] vector)
    {
        var copy = (float[])vector.Clone();
        TensorPrimitives.Divide(copy, TensorPrimitives.Norm(copy), copy);
        return copy;
    }

    public static float[] Negated(float[] vector) => vector.Select(v => -v).ToArray();
}
