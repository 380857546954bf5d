using Gme.Core;
using Gme.Core.Messaging;
using Gme.Pipeline;

// One service of the distributed profile: the same stage registration the embedded CLI uses, on the bus,
// ledger and data directory that configuration names (the AppHost sets them).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGmeCore();
builder.AddIndexerStages();

// Validation and search embed queries with the same model the Embedder used.
builder.Services.AddEmbeddingProvider(builder.Configuration);
builder.AddGmeBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
