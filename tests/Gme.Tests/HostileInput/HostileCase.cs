namespace Gme.Tests.HostileInput;

/// <summary>What reading a hostile catalogue must end in; anything else (another exception, a hang) fails the case.</summary>
internal enum Outcome
{
    /// <summary>The whole file is refused with a <c>BadInputException</c> naming it.</summary>
    FileRejected,

    /// <summary>The file is read; at least one row is rejected with a reason.</summary>
    RowsRejected,

    /// <summary>The file is read and every row is usable.</summary>
    Accepted,

    /// <summary>Damage whose effect depends on where it lands: refused, or read with or without rejected rows.</summary>
    Any,
}

/// <summary>
/// One generated hostile catalogue: <paramref name="Create"/> writes it into a folder and returns the path to read;
/// <paramref name="Reason"/>, when set, must appear in the file's refusal or in a rejected row's reason;
/// <paramref name="RowCount"/>, when set, is the number of rows the file must yield.
/// </summary>
internal sealed record HostileCase(string Name, Func<string, string> Create, Outcome Expected, string? Reason = null, int? RowCount = null);
