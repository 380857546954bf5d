using Gme.Core.Ledger;
using Gme.Core.Messaging;
using Gme.Core.Sagas;
using Gme.Images;
using Gme.Pipeline.Runs;
using Gme.Pipeline.Stages;
using Gme.Sources;

namespace Gme.Pipeline;

public static class IngestStages
{
    /// <summary>
    /// Stages 1-2 (ingest dataset, download images) and the run saga. The same call serves the Ingest service and
    /// the one-process embedded profile; the composition root picks the ledger and the bus.
    /// </summary>
    public static IHostApplicationBuilder AddIngestStages(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddDatasetSources();
        services.AddImageFetching();
        services.AddScoped<ProductChunkWriter>();
        services.AddBusContribution(x =>
        {
            x.AddConsumer<IngestDatasetConsumer>();
            x.AddConsumer<DownloadImagesConsumer>();
            // The run row is the saga instance; the queue keeps the name it had when the saga had a state class.
            x.AddSagaStateMachine<RunStateMachine, RunEntity>().Endpoint(e => e.Name = "run-state").LedgerRepository();
        });
        return builder;
    }
}
