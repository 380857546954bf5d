using System.Globalization;

namespace Gme.Core.Vectors;

/// <summary>
/// Rejects vectors no index can use: the wrong size, a NaN or infinity (which poisons every distance it touches),
/// or a (near-)zero norm (which has no direction, so cosine similarity is undefined).
/// </summary>
public static class VectorValidator
{
    /// <summary>Norms at or below this are treated as zero.</summary>
    public const double MinimumNorm = 1e-6;

    /// <summary>Null when the vector is usable, otherwise why not.</summary>
    public static string? Check(ReadOnlySpan<float> vector, int expectedDimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expectedDimensions);
        if (vector.Length != expectedDimensions)
        {
            return $"expected {expectedDimensions} dimensions, got {vector.Length}";
        }

        // Accumulate in double: squares of large floats overflow float, and tiny ones underflow it.
        double sumOfSquares = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            var value = vector[i];
            if (!float.IsFinite(value))
            {
                return $"value at index {i} is {(float.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity")}";
            }

            sumOfSquares += (double)value * value;
        }

        var norm = Math.Sqrt(sumOfSquares);
        return norm <= MinimumNorm
            ? string.Create(CultureInfo.InvariantCulture, $"norm {norm:G3} is zero or near zero (at most {MinimumNorm:G1})")
            : null;
    }
}
