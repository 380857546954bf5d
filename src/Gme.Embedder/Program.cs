using Gme.Core;
using Gme.Core.Messaging;
using Gme.Pipeline;

// One service of the distributed profile: the same stage registration the embedded CLI uses, on the bus,
// ledger and data directory that configuration names (the AppHost sets them).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGmeCore();
builder.AddEmbedderStages();
builder.AddGmeBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
