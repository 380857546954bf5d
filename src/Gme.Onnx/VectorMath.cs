namespace Gme.Onnx;

internal static class VectorMath
{
    /// <summary>Scales the vector to unit length in place, so cosine similarity becomes a dot product.</summary>
    /// <returns><c>false</c> when the vector is zero or not finite and therefore has no direction.</returns>
    public static bool TryNormalize(Span<float> vector)
    {
        double sum = 0;
        foreach (var value in vector)
        {
            sum += (double)value * value;
        }

        var norm = Math.Sqrt(sum);
        if (norm == 0 || !double.IsFinite(norm))
        {
            return false;
        }

        var scale = (float)(1 / norm);
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }

        return true;
    }
}
