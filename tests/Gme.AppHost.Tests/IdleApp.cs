using Gme.AppHost.Tests.Otlp;

namespace Gme.AppHost.Tests;

/// <summary>
/// An app left idle, with every service exporting its telemetry to an OTLP receiver in the test (OTLP/HTTP, protobuf)
/// instead of a dashboard: what the dashboard's trace list would show, counted.
/// </summary>
public sealed class IdleApp : AppHostFixture
{
    private readonly OtlpReceiver _receiver = new();

    internal OtlpReceiver Receiver => _receiver;

    protected override IEnumerable<string> Arguments => ["--Gme:EmbedderReplicas=1"];

    protected override IEnumerable<string> ReadyWhenHealthy => [Ingest, Embedder, Indexer, ResourceNames.Search];

    protected override Task ConfigureAsync(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // Added after Aspire's own OTLP settings, so these win; a short batch delay sends spans within a second.
            project.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
            {
                env["OTEL_SERVICE_NAME"] = project.Name;
                env["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.Endpoint.ToString();
                env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                env["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
                env["OTEL_METRIC_EXPORT_INTERVAL"] = "60000";
            }));
        }

        return Task.CompletedTask;
    }

    protected override async ValueTask AfterStopAsync() => await _receiver.DisposeAsync();
}
