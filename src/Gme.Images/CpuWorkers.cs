using System.Collections.Concurrent;

namespace Gme.Images;

/// <summary>
/// A few dedicated threads for CPU-heavy image work (decode, resize, encode). Running that work on thread-pool threads
/// queues it in front of the short I/O continuations that release download permits and start the next request, so
/// on a small machine every decode delays a download; on threads of their own the OS time-slices them instead.
/// At most one worker per processor, so decoder memory stays bounded whatever the download concurrency.
/// </summary>
public sealed class CpuWorkers : IDisposable
{
    private readonly BlockingCollection<Action> _queue = [];
    private readonly Thread[] _threads;

    public CpuWorkers(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _threads = new Thread[workers];
        for (var i = 0; i < workers; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"gme-image-cpu-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a worker; the awaiting caller resumes on the thread pool.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);

        // A caller cancelled while its item waits in the queue stops waiting at once; the worker then skips the item.
        var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        _queue.Add(() =>
        {
            using (registration)
            {
                if (completion.Task.IsCompleted)
                {
                    return;
                }

                try
                {
                    completion.TrySetResult(work());
                }
                catch (Exception ex)
                {
                    completion.TrySetException(ex);
                }
            }
        }, CancellationToken.None);
        return completion.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _queue.Dispose();
    }

    private void Work()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            item();
        }
    }
}
