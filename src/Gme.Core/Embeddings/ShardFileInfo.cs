namespace Gme.Core.Embeddings;

/// <summary>What a provider wrote into a shard file.</summary>
public sealed record ShardFileInfo(int Lines, long Bytes, long EstimatedTokens);
