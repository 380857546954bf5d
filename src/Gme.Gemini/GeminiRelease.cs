namespace Gme.Gemini;

/// <summary>
/// What releasing a collected job does, carried in the ledger outbox with the collect: the remote files to delete and
/// the spend to record. Every field is optional: a release without a description looks the files up itself.
/// </summary>
public sealed record GeminiRelease(string? ResponsesFile, string? InputFile, string? DisplayName, IReadOnlyList<GeminiSpendEntry> Spend);
