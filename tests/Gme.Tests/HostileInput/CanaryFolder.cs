using System.Diagnostics;

namespace Gme.Tests.HostileInput;

/// <summary>
/// One folder per test class holding the canaries (<see cref="HostileCatalogues.OutsideFolder"/>: a regular file and
/// a FIFO) and, next to it, a fresh catalogue folder for each case, so that every case's "outside" is the same place.
/// </summary>
public sealed class CanaryFolder : IDisposable
{
    /// <summary>The canary file's content: seen in a row's field, it means the file was read as a catalogue.</summary>
    public const string CanaryText = "GME-CANARY-OUTSIDE-THE-CATALOGUE-FOLDER-5b1e";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "gme-hostile-" + Guid.NewGuid().ToString("N"));
    private int _cases;

    public CanaryFolder()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_root, HostileCatalogues.OutsideFolder)).FullName;
        File.WriteAllText(Path.Combine(outside, HostileCatalogues.CanaryFile), CanaryText + "\n" + CanaryText + "," + CanaryText + "\n");
        using var mkfifo = Process.Start("mkfifo", [Path.Combine(outside, HostileCatalogues.CanaryFifo)]);
        mkfifo.WaitForExit();
    }

    public string NewCatalogueFolder() =>
        Directory.CreateDirectory(Path.Combine(_root, "case-" + Interlocked.Increment(ref _cases).ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;

    /// <summary>Opens the FIFO for writing and closes it, so that a reader blocked opening it gets end-of-file and its thread ends.</summary>
    public void ReleaseFifoReaders()
    {
        var fifo = Path.Combine(_root, HostileCatalogues.OutsideFolder, HostileCatalogues.CanaryFifo);
        _ = Task.Run(() =>
        {
            using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        });
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder is cleaned by the OS otherwise.
        }
    }
}
