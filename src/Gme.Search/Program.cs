using Gme.Core;
using Gme.Search.Web;

// The search service of the distributed profile (or alone): the page and the API over the configured vector store.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGmeCore();
builder.AddSearchService();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapSearchService();
app.Run();

