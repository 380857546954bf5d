namespace Gme.Tests.Support;

/// <summary>
/// Waits for state that settles asynchronously (bus consumers, saga rows that commit after "consumed" is reported) by
/// polling a condition, and fails the test with what it waited for when the condition does not hold in time. Tests wait
/// on conditions, never on fixed sleeps, so a slow machine only makes them slower, not flaky.
/// </summary>
internal static class Eventually
{
    /// <summary>Generous because the test machines are slow and shared; a wait that succeeds returns as soon as it can.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after 30 s.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, CancellationToken cancellationToken = default) =>
        PollAsync(() => Task.FromResult(condition()), held => held, _ => what, cancellationToken);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after 30 s.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken = default) =>
        PollAsync(condition, held => held, _ => what, cancellationToken);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds, for waits on whole pipeline runs whose length depends on the
    /// machine (a local model embedding while other test classes run beside it); fails the test after <paramref name="timeout"/>.
    /// </summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        PollAsync(condition, held => held, _ => what, cancellationToken, timeout);

    /// <summary>
    /// Reads until <paramref name="done"/> accepts the value and returns that value, so the test can assert on what it
    /// waited for; fails the test after 30 s, naming the last value read.
    /// </summary>
    public static Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, CancellationToken cancellationToken = default) =>
        PollAsync(read, done, last => $"{what} (last read: {last})", cancellationToken);

    /// <summary>As <see cref="ValueAsync{T}(Func{Task{T}}, Func{T, bool}, string, CancellationToken)"/>, for whole pipeline runs: fails after <paramref name="timeout"/>.</summary>
    public static Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        PollAsync(read, done, last => $"{what} (last read: {last})", cancellationToken, timeout);

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<T, string> describe, CancellationToken cancellationToken,
        TimeSpan? timeout = null)
    {
        var limit = timeout ?? s_timeout;
        // Without a token of its own the wait still ends when xUnit cancels the test.
        var ct = cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds:F0} s waiting for: {describe(value)}");
            }

            await Task.Delay(s_poll, ct);
        }
    }
}
