using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gme.Images;

/// <summary>
/// Process-wide caps on downloads in flight: <see cref="ImageFetchOptions.MaxConcurrency"/> in all and
/// <see cref="ImageFetchOptions.MaxConcurrencyPerHost"/> per host. Several chunks download at once, each with its own
/// parallel loop, so the cap has to live here rather than in the stage. Permits are held for one HTTP exchange
/// (headers and body), never across a backoff wait.
/// </summary>
public sealed class DownloadLimiter(IOptions<ImageFetchOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _global = new(options.Value.MaxConcurrency, options.Value.MaxConcurrency);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _perHost = options.Value.MaxConcurrencyPerHost;

    // Decoding is CPU work: more decodes at once than cores only queues work in front of the I/O continuations that
    // release download permits, and multiplies decoder memory (each decode may use up to DecoderMemoryLimitMegabytes).
    // So at most one decode per core, on threads of their own, whatever the download concurrency.
    private readonly CpuWorkers _cpu = new(Environment.ProcessorCount);

    /// <summary>Runs CPU-heavy work (decode, resize, encode) on a dedicated worker, at most one per processor at once.</summary>
    public Task<T> RunCpuBoundAsync<T>(Func<T> work, CancellationToken cancellationToken) => _cpu.RunAsync(work, cancellationToken);

    /// <summary>Waits for a host permit, then a global one (host first, so a busy host does not sit on global slots).</summary>
    public async ValueTask<Lease> AcquireAsync(string host, CancellationToken cancellationToken)
    {
        var hostGate = _hosts.GetOrAdd(host, _ => new SemaphoreSlim(_perHost, _perHost));
        await hostGate.WaitAsync(cancellationToken);
        try
        {
            await _global.WaitAsync(cancellationToken);
        }
        catch
        {
            hostGate.Release();
            throw;
        }

        return new Lease(this, hostGate);
    }

    public void Dispose()
    {
        _global.Dispose();
        _cpu.Dispose();
        foreach (var gate in _hosts.Values)
        {
            gate.Dispose();
        }
    }

    /// <summary>Releases both permits.</summary>
    public sealed class Lease(DownloadLimiter owner, SemaphoreSlim hostGate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner._global.Release();
                hostGate.Release();
            }
        }
    }
}
