using System.Security.Cryptography;
using System.Text;

namespace Gme.Core.Vectors;

/// <summary>
/// Deterministic point ids: RFC 4122 UUIDv5 in the URL namespace, named by the product id, so a replayed
/// upsert overwrites the same point. Byte-compatible with Python's <c>uuid.uuid5(uuid.NAMESPACE_URL, id)</c>.
/// </summary>
public static class PointIds
{
    /// <summary>RFC 4122 appendix C: 6ba7b811-9dad-11d1-80b4-00c04fd430c8, in network byte order.</summary>
    private static readonly byte[] s_urlNamespace =
        [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];

    public static Guid FromProductId(string productId)
    {
        ArgumentNullException.ThrowIfNull(productId);
        var name = Encoding.UTF8.GetBytes(productId);
        var input = new byte[s_urlNamespace.Length + name.Length];
        s_urlNamespace.CopyTo(input, 0);
        name.CopyTo(input, s_urlNamespace.Length);

        // SHA-1 is what RFC 4122 prescribes for version 5; it is an identifier here, not a security measure.
#pragma warning disable CA5350 // Do Not Use Weak Cryptographic Algorithms
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
