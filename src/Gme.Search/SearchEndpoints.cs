using System.Security.Cryptography;
using System.Text;
using Gme.Indexer;
using Gme.Indexer.Search;
using Microsoft.Extensions.Options;

namespace Gme.Search;

/// <summary>
/// The HTTP API. Every search goes through <see cref="ProductSearch"/>, the code path of `gme search`, and returns
/// the same JSON array of <c>{productId, score, payload}</c> that `gme search --json` prints.
/// </summary>
internal static class SearchEndpoints
{
    public static void MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        var search = api.MapGroup("/search").AddEndpointFilter(RequireApiKeyAsync);
        search.MapGet("/", SearchAsync);
        search.MapPost("/image", SearchByImageAsync).DisableAntiforgery();
        api.MapGet("/products/{productId}/image", ImageAsync);
        api.MapGet("/config", (IOptions<IndexerOptions> indexer, IOptions<SearchOptions> options) => Results.Ok(new
        {
            filters = indexer.Value.KeywordIndexes,
            maxTop = SearchRequest.MaxTop,
            apiKeyRequired = !string.IsNullOrEmpty(options.Value.ApiKey),
        }));
    }

    /// <summary>GET /api/search?q=red+dress&amp;similar=ID&amp;filter=colour=Red&amp;top=10</summary>
    private static async Task<IResult> SearchAsync(
        HttpContext http,
        ProductSearch productSearch,
        IOptions<SearchOptions> options,
        ILoggerFactory loggers,
        string? q,
        string? similar,
        string[]? filter,
        int? top,
        CancellationToken ct)
    {
        var request = Request(options.Value, q, similar, filter, top, imagePath: null, out var problem);
        return problem ?? await RunAsync(productSearch, request!, loggers, ct);
    }

    /// <summary>POST /api/search/image, multipart: <c>image</c> (the photo), optional <c>q</c>, <c>filter</c>, <c>top</c>.</summary>
    private static async Task<IResult> SearchByImageAsync(
        HttpRequest http,
        ProductSearch productSearch,
        IOptions<SearchOptions> options,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var limits = options.Value;
        if (http.ContentLength > limits.MaxImageBytes + (64 * 1024))
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than {limits.MaxImageBytes} bytes.");
        }

        if (!http.HasFormContentType)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "send the image as multipart/form-data, field 'image'.");
        }

        IFormCollection form;
        try
        {
            form = await http.ReadFormAsync(ct);
        }
        catch (BadHttpRequestException ex)
        {
            return Problem(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? $"the upload is larger than {limits.MaxImageBytes} bytes." : "the form could not be read.");
        }
        catch (InvalidDataException)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than {limits.MaxImageBytes} bytes.");
        }

        var image = form.Files.GetFile("image");
        if (image is null || image.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "the form has no 'image' file (or it is empty).");
        }

        if (image.Length > limits.MaxImageBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"the image is larger than {limits.MaxImageBytes} bytes.");
        }

        if (image.ContentType is { Length: > 0 } type && !type.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, $"'image' must be an image, not {type}.");
        }

        int? top = int.TryParse(form["top"], out var t) ? t : form.ContainsKey("top") ? -1 : null;
        var path = Path.Combine(Path.GetTempPath(), $"gme-query-{Guid.NewGuid():N}{SafeExtension(image.FileName)}");
        try
        {
            await using (var file = File.Create(path))
            {
                await image.CopyToAsync(file, ct);
            }

            var request = Request(limits, form["q"], similar: null, form["filter"].OfType<string>().ToArray(), top, path, out var problem);
            return problem ?? await RunAsync(productSearch, request!, loggers, ct);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<IResult> ImageAsync(string productId, ProductImages images, CancellationToken ct) =>
        await images.PathForAsync(productId, ct) is { } path
            ? Results.File(path, "image/jpeg", enableRangeProcessing: false)
            : Problem(StatusCodes.Status404NotFound, $"no cached image for product '{productId}'.");

    private static SearchRequest? Request(
        SearchOptions limits, string? q, string? similar, string[]? filters, int? top, string? imagePath, out IResult? problem)
    {
        problem = null;
        if (q is { Length: > 0 } && q.Length > limits.MaxQueryLength)
        {
            problem = Problem(StatusCodes.Status400BadRequest, $"the query is longer than {limits.MaxQueryLength} characters.");
            return null;
        }

        filters ??= [];
        if (filters.Length > limits.MaxFilters)
        {
            problem = Problem(StatusCodes.Status400BadRequest, $"at most {limits.MaxFilters} filters are allowed.");
            return null;
        }

        var parsed = new List<KeyValuePair<string, string>>();
        foreach (var f in filters)
        {
            var parts = f.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0)
            {
                problem = Problem(StatusCodes.Status400BadRequest, $"filter '{f}' is not key=value.");
                return null;
            }

            parsed.Add(new(parts[0].Trim(), parts[1].Trim()));
        }

        return new SearchRequest
        {
            Text = q,
            SimilarTo = string.IsNullOrWhiteSpace(similar) ? null : similar.Trim(),
            ImagePath = imagePath,
            Filters = parsed,
            Top = top ?? 10,
        };
    }

    private static async Task<IResult> RunAsync(ProductSearch productSearch, SearchRequest request, ILoggerFactory loggers, CancellationToken ct)
    {
        using var activity = Diagnostics.ActivitySource.StartActivity("search");
        try
        {
            return Results.Ok(await productSearch.SearchAsync(request, ct));
        }
        catch (SearchException ex)
        {
            loggers.CreateLogger(typeof(SearchEndpoints)).SearchRefused(ex.Message);
            return Problem(StatusCodes.Status400BadRequest, ex.Message);
        }
    }

    private static async ValueTask<object?> RequireApiKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = http.RequestServices.GetRequiredService<IOptions<SearchOptions>>().Value.ApiKey;
        if (!string.IsNullOrEmpty(expected))
        {
            var given = http.Request.Headers[SearchOptions.ApiKeyHeader].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SearchEndpoints))
                    .ApiKeyRejected(http.Connection.RemoteIpAddress?.ToString());
                return Problem(StatusCodes.Status401Unauthorized, $"a valid {SearchOptions.ApiKeyHeader} header is required.");
            }
        }

        return await next(context);
    }

    private static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    // Keep the extension so the model's image decoder recognises the format; nothing else of the client's name is used.
    private static string SafeExtension(string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        return extension is ".jpg" or ".jpeg" or ".png" or ".webp" or ".gif" or ".bmp" ? extension : ".img";
    }
}
