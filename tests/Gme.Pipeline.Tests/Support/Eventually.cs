namespace Gme.Pipeline.Tests.Support;

/// <summary>Waits for a condition, polling, and fails with a description when it does not hold in time.</summary>
internal static class Eventually
{
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}. {context?.Invoke()}");
            }

            await Task.Delay(100);
        }
    }
}
