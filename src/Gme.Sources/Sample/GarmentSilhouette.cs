namespace Gme.Sources.Sample;

/// <summary>
/// The garment shapes, as "is this point inside" tests on a unit square (x right, y down). Every shape covers the
/// box x ∈ [0.38, 0.46], y ∈ [0.42, 0.52] with plain fabric, so a colour check can read it for any garment.
/// </summary>
internal static class GarmentSilhouette
{
    public static bool Inside(GarmentShape shape, double x, double y)
    {
        var d = Math.Abs(x - 0.5);
        return shape switch
        {
            GarmentShape.Dress => Dress(d, y),
            GarmentShape.TShirt => TShirt(d, x, y),
            GarmentShape.Shirt => Shirt(d, y),
            GarmentShape.Sweater => Sweater(d, x, y),
            GarmentShape.Jacket => Jacket(d, y),
            GarmentShape.Trousers => Trousers(d, y),
            GarmentShape.Shorts => Shorts(d, y),
            GarmentShape.Skirt => Skirt(d, y),
            _ => false,
        };
    }

    /// <summary>Seams, bands, buttons and the like, drawn in the accent colour over the fabric.</summary>
    public static bool IsTrim(GarmentShape shape, double x, double y)
    {
        var d = Math.Abs(x - 0.5);
        return shape switch
        {
            GarmentShape.Sweater => (y is > 0.82 and < 0.86) || (d > 0.19 && y is > 0.72 and < 0.76),
            GarmentShape.Trousers => y < 0.14,
            GarmentShape.Shorts => y < 0.34,
            GarmentShape.Skirt => y < 0.29,
            GarmentShape.Shirt => d < 0.012 && y > 0.3 && ((int)(y * 256) % 24) < 5,
            GarmentShape.Jacket => d < 0.006 || Pocket(d, y),
            _ => false,
        };
    }

    // A trapezoid that widens from the bodice to the hem, hung on two thin straps.
    private static bool Dress(double d, double y) =>
        (y is >= 0.08 and < 0.2 && Math.Abs(d - 0.1) < 0.02)
        || (y is >= 0.2 and <= 0.92 && d <= 0.12 + ((y - 0.2) / 0.72 * 0.24));

    // Body with short sleeves that taper, and a round neck.
    private static bool TShirt(double d, double x, double y)
    {
        if (Square(x - 0.5) + Square(y - 0.2) < Square(0.07))
        {
            return false;
        }

        return (y is >= 0.2 and <= 0.88 && d <= 0.18)
            || (y is >= 0.2 and <= 0.38 && d <= 0.36 - ((y - 0.2) * 0.4));
    }

    // Body with long narrow sleeves apart from the body below the armpit, and a V collar.
    private static bool Shirt(double d, double y)
    {
        if (y < 0.28 && d < (0.28 - y) * 0.6)
        {
            return false;
        }

        return (y is >= 0.18 and <= 0.86 && d <= 0.18) || Sleeve(d, y, 0.18, 0.3, 0.78);
    }

    // Like the shirt but with wider sleeves and a round neck.
    private static bool Sweater(double d, double x, double y)
    {
        if (Square(x - 0.5) + Square(y - 0.18) < Square(0.06))
        {
            return false;
        }

        return (y is >= 0.18 and <= 0.86 && d <= 0.18) || Sleeve(d, y, 0.18, 0.32, 0.76);
    }

    // Longer and wider than the shirt, with a deep V opening.
    private static bool Jacket(double d, double y)
    {
        if (y < 0.34 && d < (0.34 - y) * 0.5)
        {
            return false;
        }

        return (y is >= 0.16 and <= 0.9 && d <= 0.2) || Sleeve(d, y, 0.2, 0.33, 0.82);
    }

    // Hips down to the crotch, then two legs that spread slightly.
    private static bool Trousers(double d, double y)
    {
        var outer = 0.2 + ((y - 0.1) * 0.05);
        return (y is >= 0.1 and < 0.58 && d <= outer)
            || (y is >= 0.58 and <= 0.95 && d <= outer && d >= 0.015 + ((y - 0.58) * 0.05));
    }

    private static bool Shorts(double d, double y)
    {
        var outer = 0.22 + ((y - 0.3) * 0.1);
        return (y is >= 0.3 and < 0.56 && d <= outer)
            || (y is >= 0.56 and <= 0.72 && d <= outer && d >= 0.02 + ((y - 0.56) * 0.1));
    }

    private static bool Skirt(double d, double y) =>
        y is >= 0.24 and <= 0.8 && d <= 0.13 + ((y - 0.24) / 0.56 * 0.22);

    /// <summary>A sleeve from the shoulder line down to <paramref name="bottom"/>, parted from the body below the armpit.</summary>
    private static bool Sleeve(double d, double y, double top, double outer, double bottom)
    {
        var inner = y < top + 0.14 ? 0.0 : outer - 0.1;
        return y >= top && y <= bottom && d <= outer && d >= inner;
    }

    private static bool Pocket(double d, double y)
    {
        var inY = y is >= 0.62 and <= 0.72;
        var inX = d is >= 0.07 and <= 0.16;
        return inY && inX && (y < 0.628 || y > 0.712 || d < 0.078 || d > 0.152);
    }

    private static double Square(double v) => v * v;
}
