using System.Security.Cryptography;
using System.Text;
using Gme.Core.Sources;

namespace Gme.Pipeline.Stages;

/// <summary>Fingerprint of everything that shapes a product's vectors and payload: a change re-embeds it.</summary>
internal static class ContentHash
{
    public static string Of(ProductRecord product, string payloadJson)
    {
        var text = string.Join('\n', product.Name, product.Text, product.ImageRef, payloadJson);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
