using Gme.Core;
using Gme.Search;

// The search service of the distributed profile (or alone): the page and the API over the configured vector store.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGmeCore();
builder.AddSearchService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapSearchService();
app.Run();

/// <summary>The entry point, public so WebApplicationFactory can start the service in tests.</summary>
#pragma warning disable CA1050 // Top-level statements put Program in the global namespace.
public partial class Program;
#pragma warning restore CA1050
