namespace Gme.Pipeline.Tests.Support;

/// <summary>A data directory for one test, removed afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "gme-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A killed child process may still hold a file for a moment; the OS temp cleaner gets it later.
        }
    }
}
