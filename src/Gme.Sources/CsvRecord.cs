namespace Gme.Sources;

/// <summary>One physical CSV record as read, before it is checked against the header.</summary>
/// <param name="Fields">The field values; empty when the record overflowed and was not kept.</param>
/// <param name="StartLine">The 1-based line the record starts on, for error messages.</param>
/// <param name="Unterminated">The file ended inside a quoted field.</param>
/// <param name="TooLong">The record was longer than the reader keeps; its text was dropped.</param>
/// <param name="InvalidByteOffset">The file offset of the first invalid UTF-8 byte in the record, if any.</param>
internal sealed record CsvRecord(IReadOnlyList<string> Fields, long StartLine, bool Unterminated, bool TooLong, long? InvalidByteOffset = null);
