using System.Collections.Concurrent;
using System.Net;
using Gme.Images;

namespace Gme.Tests.Ingest;

/// <summary>
/// A resolver with answers set by the test. Unknown names resolve to 127.0.0.1: in these tests every name is hostile.
/// An answer can be a sequence, one entry per call (the last repeats), to play DNS rebinding.
/// </summary>
internal sealed class FakeDnsResolver : IDnsResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[][]> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.OrdinalIgnoreCase);

    public void Map(string host, params IPAddress[][] answers) => _answers[host] = answers;

    public int Calls(string host) => _calls.GetValueOrDefault(host);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var call = _calls.AddOrUpdate(host, 1, (_, n) => n + 1);
        if (!_answers.TryGetValue(host, out var answers))
        {
            return Task.FromResult(new[] { IPAddress.Loopback });
        }

        return Task.FromResult(answers[Math.Min(call, answers.Length) - 1]);
    }
}
