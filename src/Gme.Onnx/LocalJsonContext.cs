using System.Text.Json.Serialization;

namespace Gme.Onnx;

/// <summary>Source-generated JSON for the shard and results files (no reflection on the hot path).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LocalShardLine))]
[JsonSerializable(typeof(LocalResultLine))]
internal sealed partial class LocalJsonContext : JsonSerializerContext;
