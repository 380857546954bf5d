using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Gme.Tests.Gemini;

/// <summary>
/// Records every span the process emits (Gme sources, MassTransit, HttpClient, EF Core) as text: name, tags,
/// events and status, i.e. what an OpenTelemetry exporter would send, so a test can scan it for secrets.
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<string> _texts = new();

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _texts.Enqueue(Describe(activity)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Count => _texts.Count;

    public IEnumerable<string> Texts => _texts;

    public void Dispose() => _listener.Dispose();

    private static string Describe(Activity activity)
    {
        var text = new StringBuilder(activity.Source.Name).Append(' ').Append(activity.DisplayName);
        foreach (var (key, value) in activity.TagObjects)
        {
            text.Append(' ').Append(key).Append('=').Append(value);
        }

        foreach (var e in activity.Events)
        {
            text.Append(" event ").Append(e.Name);
            foreach (var (key, value) in e.Tags)
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }
        }

        return text.Append(" status ").Append(activity.StatusDescription).ToString();
    }
}
