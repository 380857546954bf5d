using System.Text.Json;

namespace Gme.Pipeline.Stages;

/// <summary>
/// The payload stored with each point: the product's ingested fields under their source names, plus the product id
/// under a reserved key so a hit can be named whatever the source called its id column.
/// </summary>
public static class PointPayload
{
    public const string ProductIdKey = "gme_product_id";

    public static Dictionary<string, string?> Build(string productId, string payloadJson)
    {
        var payload = JsonSerializer.Deserialize<Dictionary<string, string?>>(payloadJson) ?? [];
        payload[ProductIdKey] = productId;
        return payload;
    }

    /// <summary>The fields as ingested, without the reserved keys.</summary>
    public static Dictionary<string, string?> ForDisplay(IReadOnlyDictionary<string, string?> payload) =>
        payload.Where(kv => !kv.Key.StartsWith("gme_", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    public static string? ProductId(IReadOnlyDictionary<string, string?> payload) => payload.GetValueOrDefault(ProductIdKey);
}
