using Gme.Core;
using Gme.Core.Messaging;
using Gme.Pipeline;
using Gme.Pipeline.Runs;
using Gme.Pipeline.Runs.Stalls;
using Gme.Sources.Sample;

// One service of the distributed profile: the same stage registration the embedded CLI uses, on the bus,
// ledger and data directory that configuration names (the AppHost sets them).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGmeCore();
builder.AddIngestStages();

// Runs record the model they embed with; the provider loads no model until it embeds, so this costs nothing here.
builder.Services.AddEmbeddingProvider(builder.Configuration);

// Sample runs download their photos from the loopback image server, which must live where stage 2 runs.
builder.Services.AddSampleImageServer();
builder.AddGmeBus();

// POST /runs (sample, catalogue URL, upload or path), GET /runs, GET /runs/{id}; behind Gme:Runs:ApiKey when set.
builder.Services.AddRunsApi();

// Messages lost between a committed state change and its publish (broker restart) are re-announced from the ledger,
// and a stage queue with work and no consumer (its service is down) marks the active runs Stalled.
builder.AddRunWatchdog();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRunEndpoints();
app.MapStageHealth();
app.Run();
