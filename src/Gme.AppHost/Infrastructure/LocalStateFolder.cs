namespace Gme.AppHost.Infrastructure;

/// <summary>
/// Where local-services mode keeps RabbitMQ's and PostgreSQL's state and the shared data directory: by default one
/// persistent folder beside the repository (<c>gme-data-local</c>), so runs, the ledger and the index survive a restart
/// and a start never leaves a new folder behind. The AppHost holds a lock file in it while it runs; a second AppHost
/// finding it held works in a folder of its own under the temp directory, deleted when it exits.
/// </summary>
public sealed class LocalStateFolder : IDisposable
{
    public const string DefaultName = "gme-data-local";
    public const string LockFile = ".apphost.lock";

    private readonly FileStream _lock;

    private LocalStateFolder(string path, FileStream @lock, bool temporary)
    {
        Path = path;
        _lock = @lock;
        IsTemporary = temporary;
    }

    public string Path { get; }

    /// <summary>True when the persistent folder was in use and this one goes away on exit.</summary>
    public bool IsTemporary { get; }

    /// <summary>The configured folder, or the default one under <paramref name="repositoryRoot"/>; a temporary one when it is held.</summary>
    public static LocalStateFolder Open(string? configured, string repositoryRoot)
    {
        var path = System.IO.Path.GetFullPath(configured ?? System.IO.Path.Combine(repositoryRoot, DefaultName));
        if (TryLock(path) is { } held)
        {
            return new LocalStateFolder(path, held, temporary: false);
        }

        var temporary = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gme-apphost", $"{Environment.ProcessId}-{Guid.NewGuid():n}"[..20]);
        return new LocalStateFolder(temporary, TryLock(temporary) ?? throw new IOException($"cannot lock {temporary}"), temporary: true);
    }

    public void Dispose()
    {
        _lock.Dispose();
        if (IsTemporary)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A server still flushing a file; the folder is under the temp directory.
            }
            catch (UnauthorizedAccessException)
            {
                // Files the servers' own users wrote; the folder is under the temp directory.
            }
        }
        else
        {
            try
            {
                File.Delete(System.IO.Path.Combine(Path, LockFile));
            }
            catch (IOException)
            {
                // The folder is gone already (a test's folder, deleted by the test); nothing is left to release.
            }
        }
    }

    private static FileStream? TryLock(string path)
    {
        Directory.CreateDirectory(path);
        try
        {
            return new FileStream(System.IO.Path.Combine(path, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
