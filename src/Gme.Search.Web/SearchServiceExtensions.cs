using Gme.Images;
using Gme.Pipeline;
using Gme.Pipeline.Runs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Search.Web;

public static class SearchServiceExtensions
{
    /// <summary>Longest request line Kestrel accepts; a query longer than <see cref="SearchOptions.MaxQueryLength"/> is refused by the endpoint.</summary>
    public const int MaxRequestLineBytes = 2 * 1024 * 1024;

    /// <summary>
    /// The search service on top of a Gme core (AddGmeCore first): the embedding model for queries, the vector store
    /// and <see cref="Gme.Pipeline.Search.ProductSearch"/>, which `gme search` uses too, so both give the same results.
    /// </summary>
    public static IHostApplicationBuilder AddSearchService(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SearchOptions>().BindConfiguration(SearchOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddEmbeddingProvider(builder.Configuration);
        services.AddIndexing(builder.Configuration);
        services.AddProblemDetails();
        services.AddSingleton<ProductImages>();
        services.AddSingleton<SearchCollections>();

        // Uploaded query photos take the ingest checks (sniffing, pixel budget, decoder memory cap: section Gme:Images).
        services.AddOptions<ImageFetchOptions>().BindConfiguration(ImageFetchOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ImageNormalizer>();

        // Request size limits: queries are small; only the image upload carries a body, capped below.
        var maxImage = builder.Configuration.GetValue<int?>($"{SearchOptions.SectionName}:{nameof(SearchOptions.MaxImageBytes)}") ?? new SearchOptions().MaxImageBytes;
        services.Configure<FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = maxImage;
            o.ValueCountLimit = 64;
        });
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o =>
        {
            o.Limits.MaxRequestBodySize = maxImage + (64 * 1024);

            // Kestrel answers a request line over its limit (8 KiB by default) with a bare 414 before the application
            // sees it. Let long lines through to the endpoint, which refuses an over-long q with a ProblemDetails
            // naming it; past this limit the bare 414 remains. The buffer must be at least the line limit.
            o.Limits.MaxRequestLineSize = MaxRequestLineBytes;
            o.Limits.MaxRequestBufferSize = Math.Max(o.Limits.MaxRequestBufferSize ?? 0, MaxRequestLineBytes);
        });
        return builder;
    }

    /// <summary>The web page (embedded static files) and the API.</summary>
    public static WebApplication MapSearchService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        var files = new Microsoft.Extensions.FileProviders.EmbeddedFileProvider(typeof(SearchServiceExtensions).Assembly, "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.MapSearchEndpoints();
        app.MapFacetEndpoints();

        // Read-only run status (GET /runs, GET /runs/{id}) behind the search key, so `gme status --url` works here too.
        app.MapRunQueries(services => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SearchOptions>>().Value.ApiKey);
        return app;
    }
}
