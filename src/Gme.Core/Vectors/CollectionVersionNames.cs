using System.Globalization;

namespace Gme.Core.Vectors;

/// <summary>
/// How a collection's versions are named in the store (issue 13): the collection NAME is an alias, and each version
/// is a physical collection <c>NAME__v1</c>, <c>NAME__v2</c>, ... Data dirs built before versions existed hold one
/// physical collection called NAME itself; that is version 1 until a second version is built (see IndexVersions).
/// Kept apart from everything else that names collections so that naming changes stay in one small file.
/// </summary>
public static class CollectionVersionNames
{
    private const string Separator = "__v";

    public static string Physical(string collection, int version) =>
        string.Create(CultureInfo.InvariantCulture, $"{collection}{Separator}{version}");

    /// <summary>The version number of <paramref name="physical"/> when it is a version of <paramref name="collection"/>.</summary>
    public static int? VersionOf(string collection, string physical)
    {
        var prefix = collection + Separator;
        return physical.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(physical.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : null;
    }
}
