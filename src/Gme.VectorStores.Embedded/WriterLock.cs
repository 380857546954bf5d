using System.Globalization;
using System.Text;

namespace Gme.VectorStores.Embedded;

/// <summary>
/// The exclusive <c>.lock</c> file of a collection, held by the one process allowed to write it. .NET enforces
/// <see cref="FileShare.None"/> across processes (flock on Unix), and the OS drops the lock when a process dies, so a
/// crashed writer never leaves the collection locked.
/// </summary>
internal sealed class WriterLock : IDisposable
{
    private readonly FileStream _stream;

    private WriterLock(FileStream stream)
    {
        _stream = stream;
    }

    /// <exception cref="InvalidOperationException">Another process (or store instance) is writing the collection.</exception>
    public static WriterLock Acquire(string path, string collection)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"Vector collection '{collection}' is being written by another process (it holds {path}). "
                + "Only one process may write a collection at a time; stop the other writer or search read-only.",
                ex);
        }

        // The holder's process id, for whoever finds the file and wonders who has it.
        stream.SetLength(0);
        stream.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
        stream.Flush();
        return new WriterLock(stream);
    }

    public void Dispose() => _stream.Dispose();
}
