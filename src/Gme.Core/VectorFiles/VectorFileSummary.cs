namespace Gme.Core.VectorFiles;

/// <summary>What was written: the row count and the SHA-256 (lower-case hex) of the finished file.</summary>
public sealed record VectorFileSummary(int Rows, string Sha256);
