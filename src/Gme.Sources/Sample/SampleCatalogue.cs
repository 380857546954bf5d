using System.Globalization;

namespace Gme.Sources.Sample;

/// <summary>
/// The synthetic catalogue behind <c>gme run --sample</c>: deterministic, so a resumed run and every test see the
/// same products, and spread evenly over garment × colour × pattern so that queries such as "red dress" have a
/// handful of right answers among many wrong ones.
/// </summary>
public static class SampleCatalogue
{
    public const int DefaultProductCount = 300;
    public const int MaxProductCount = 999_999;

    /// <summary>A fixed host, never the server's port, so a resumed run (new server, new port) sees the same URLs.</summary>
    public const string ImageHost = "sample.gme.localhost";

    public static IReadOnlyList<SampleColour> Colours { get; } =
    [
        new("Red", 200, 30, 40),
        new("Blue", 40, 90, 200),
        new("Navy", 25, 35, 90),
        new("Green", 40, 150, 60),
        new("Black", 25, 25, 25),
        new("White", 250, 250, 250),
        new("Yellow", 240, 205, 40),
        new("Pink", 240, 140, 180),
        new("Grey", 128, 128, 128),
        new("Beige", 215, 195, 160),
        new("Orange", 240, 130, 30),
        new("Purple", 120, 50, 150),
    ];

    public static IReadOnlyList<SampleGarment> Garments { get; } =
    [
        new("Dress", GarmentShape.Dress, "Garment Full body", "Dresses"),
        new("T-shirt", GarmentShape.TShirt, "Garment Upper body", "Jersey Basic"),
        new("Trousers", GarmentShape.Trousers, "Garment Lower body", "Trousers"),
        new("Skirt", GarmentShape.Skirt, "Garment Lower body", "Skirts"),
        new("Sweater", GarmentShape.Sweater, "Garment Upper body", "Knitwear"),
        new("Jacket", GarmentShape.Jacket, "Garment Upper body", "Outerwear"),
        new("Shorts", GarmentShape.Shorts, "Garment Lower body", "Shorts"),
        new("Shirt", GarmentShape.Shirt, "Garment Upper body", "Shirts"),
    ];

    private static readonly string[] s_fits = ["a relaxed fit", "a regular fit", "a slim fit", "an easy, loose fit"];
    private static readonly string[] s_fabrics = ["soft cotton jersey", "woven viscose", "a cotton blend", "recycled polyester"];

    /// <summary>The product at a 1-based index.</summary>
    public static SampleProduct Product(int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, MaxProductCount);

        // Mixed radix over garment (8) × colour (12), with the pattern shifted by one per block of 96 so that every
        // garment/colour pair meets every pattern and the first 384 products are all different.
        var i = index - 1;
        var garment = Garments[i % Garments.Count];
        var colour = Colours[i / Garments.Count % Colours.Count];
        var block = i / (Garments.Count * Colours.Count);
        var pattern = (SamplePattern)((i / Garments.Count + block) % 4);

        var id = FormatId(index);
        var patternWord = pattern == SamplePattern.Solid ? "" : pattern + " ";
        var name = $"{colour.Name} {patternWord}{garment.Name}";
        var patternText = pattern switch
        {
            SamplePattern.Solid => "in a solid colour",
            SamplePattern.Striped => "with a striped pattern",
            SamplePattern.Dotted => "with a dotted pattern",
            _ => "with a checked pattern",
        };
        var description = $"{Article(colour.Name)} {colour.Name.ToLowerInvariant()} {garment.Name.ToLowerInvariant()} {patternText}, " +
            $"made from {s_fabrics[i / 3 % s_fabrics.Length]} with {s_fits[i / 5 % s_fits.Length]}.";

        return new SampleProduct(index, id, name, garment, colour, pattern, description, ImageUrl(id));
    }

    /// <summary>Products 1..count in order.</summary>
    public static IEnumerable<SampleProduct> Products(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxProductCount);
        for (var index = 1; index <= count; index++)
        {
            yield return Product(index);
        }
    }

    public static string FormatId(int index) => "S" + index.ToString("D6", CultureInfo.InvariantCulture);

    public static string ImageUrl(string id) => $"http://{ImageHost}/images/{id}.jpg";

    /// <summary>Parses an id such as <c>S000042</c>; false for anything else (so the server answers 404).</summary>
    public static bool TryParseId(string id, out int index)
    {
        index = 0;
        return id.Length == 7
            && id[0] == 'S'
            && id.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0
            && int.TryParse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && index is >= 1 and <= MaxProductCount;
    }

    private static string Article(string word) => "AEIOU".Contains(word[0], StringComparison.Ordinal) ? "An" : "A";
}
