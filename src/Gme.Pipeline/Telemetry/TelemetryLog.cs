namespace Gme.Pipeline.Telemetry;

/// <summary>Log messages of the pipeline's gauges.</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(EventId = 3910, Level = LogLevel.Debug, Message = "Pipeline depth not read this time")]
    public static partial void DepthUnreadable(ILogger logger, Exception exception);
}
