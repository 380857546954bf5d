using Gme.Core.Embeddings;
using Gme.Core.Images;
using Gme.Core.Ledger;
using Gme.Core.Vectors;
using Gme.Pipeline.Stages;
using Gme.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

using Gme.Search;
namespace Gme.Tests.Search;

/// <summary>The search service (any type of its assembly names the entry point) in the embedded profile on a temp data directory, with a small word-vector catalogue.</summary>
public sealed class SearchApiFactory(string? apiKey = null, int maxImageBytes = 4096, bool embeddingUnavailable = false) : WebApplicationFactory<SearchHost>
{
    public static readonly (string Id, string Name, string Colour, string Type)[] Catalogue =
    [
        ("P1", "red dress", "Red", "Dress"),
        ("P2", "blue dress", "Blue", "Dress"),
        ("P3", "red shirt", "Red", "Shirt"),
        ("P4", "green wool shirt", "Green", "Shirt"),
        ("P5", "blue shoe", "Blue", "Shoe"),
        ("P6", "red cotton dress", "Red", "Dress"),
    ];

    private readonly TempDirectory _data = new();

    public async Task SeedAsync()
    {
        var store = Services.GetRequiredService<IVectorStore>();
        var spaces = WordEmbeddingProvider.Spaces;
        await store.EnsureCollectionAsync(new CollectionSpec(
            "products",
            spaces.ToDictionary(s => s.Name, s => new VectorSpec(s.Dimensions, s.Distance)),
            ["colour", "product_type"]));
        var points = Catalogue.Select(p => new VectorPoint(
            PointIds.FromProductId(p.Id),
            new Dictionary<string, float[]> { ["text"] = WordEmbeddingProvider.Embed(p.Name), ["image"] = WordEmbeddingProvider.Embed(p.Name) },
            PointPayload.Build(p.Id, $$"""{"name":"{{p.Name}}","colour":"{{p.Colour}}","product_type":"{{p.Type}}"}"""))).ToList();
        await store.UpsertAsync("products", points);

        // One product with a cached photo, for the image endpoint.
        var sha = await Services.GetRequiredService<IImageCache>().StoreAsync(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 });
        var ledger = Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>();
        await using var db = await ledger.CreateDbContextAsync();
        db.Products.Add(new ProductEntity
        {
            Collection = "products",
            Id = "P1",
            ContentHash = "h",
            PayloadJson = "{}",
            Name = "red dress",
            Text = "red dress",
            ImageRef = "p1.jpg",
            ImageSha256 = sha,
        });
        await db.SaveChangesAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Gme:Profile", "Embedded");
        builder.UseSetting("Gme:DataDirectory", _data.Path);
        builder.UseSetting("Gme:Search:MaxImageBytes", maxImageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (apiKey is not null)
        {
            builder.UseSetting("Gme:Search:ApiKey", apiKey);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<QueryEmbedders>();
            services.AddSingleton(WordEmbeddingProvider.Queries(embeddingUnavailable));
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _data.Dispose();
        }
    }
}
