using Gme.Core.Embeddings;

namespace Gme.Gemini;

/// <summary>What the client reads from a batch Operation.</summary>
public sealed record GeminiBatch(string Name, string? DisplayName, BatchJobState State, bool Done, string? ResponsesFile,
    string? InputFile, string? Error, long? RequestCount, long? FailedRequestCount);
