using Gme.Embedder;
using Gme.Indexer;
using Microsoft.AspNetCore.Http.Features;

namespace Gme.Search;

public static class SearchServiceExtensions
{
    /// <summary>
    /// The search service on top of a Gme core (AddGmeCore first): the embedding model for queries, the vector store
    /// and <see cref="Indexer.Search.ProductSearch"/>, which `gme search` uses too, so both give the same results.
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

        // Request size limits: queries are small; only the image upload carries a body, capped below.
        var maxImage = builder.Configuration.GetValue<int?>($"{SearchOptions.SectionName}:{nameof(SearchOptions.MaxImageBytes)}") ?? new SearchOptions().MaxImageBytes;
        services.Configure<FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = maxImage;
            o.ValueCountLimit = 64;
        });
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = maxImage + (64 * 1024));
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
        return app;
    }
}
