using System.Security.Cryptography;
using System.Text;
using Gme.Core.Embeddings;
using Gme.Images;
using Gme.Pipeline;
using Gme.Pipeline.Search;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Gme.Search.Web;

/// <summary>
/// The HTTP API. Every search goes through <see cref="ProductSearch"/>, the code path of `gme search`, and returns
/// the same JSON array of <c>{productId, score, payload}</c> that `gme search --json` prints. Every refusal is a 4xx
/// ProblemDetails whose detail names the parameter, also given as the <c>parameter</c> extension member.
/// </summary>
internal static class SearchEndpoints
{
    /// <summary>What a 503 tells the client to wait: about one query deadline's worth of backoff on the model side.</summary>
    internal const int RetryAfterSeconds = 30;

    public static void MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        var search = api.MapGroup("/search").AddEndpointFilter(RequireApiKeyAsync);
        search.MapGet("/", SearchAsync);
        search.MapPost("/image", SearchByImageAsync).DisableAntiforgery();
        api.MapGet("/products/{productId}/image", ImageAsync);
        api.MapGet("/collections", async (SearchCollections collections, CancellationToken ct) => Results.Ok(await collections.ListAsync(ct)));
        api.MapGet("/config", (IOptions<IndexerOptions> indexer, IOptions<SearchOptions> options, SearchCollections collections) => Results.Ok(new
        {
            collection = collections.Default,
            filters = indexer.Value.KeywordIndexes,
            maxTop = SearchRequest.MaxTop,
            apiKeyRequired = !string.IsNullOrEmpty(options.Value.ApiKey),
        }));
    }

    /// <summary>GET /api/search?q=red+dress&amp;similar=ID&amp;filter=colour=Red&amp;top=10&amp;mode=hybrid&amp;collection=NAME</summary>
    private static async Task<IResult> SearchAsync(
        HttpContext http,
        ProductSearch productSearch,
        SearchCollections collections,
        IOptions<SearchOptions> options,
        IOptions<IndexerOptions> indexer,
        ILoggerFactory loggers,
        string? q,
        string? similar,
        string[]? filter,
        string? top,
        string? mode,
        string? collection,
        CancellationToken ct)
    {
        if (!TryParseMode(mode, out var searchMode))
        {
            return Problem(StatusCodes.Status400BadRequest, $"mode must be hybrid, dense or lexical (got '{Shown(mode!)}').", "mode");
        }

        collection = string.IsNullOrWhiteSpace(collection) ? null : collection.Trim();
        if (await UnknownCollectionAsync(collections, collection, ct) is { } unknown)
        {
            return unknown;
        }

        var request = Request(options.Value, indexer.Value, q, similar, filter, top, image: null, out var problem);
        return problem ?? await RunAsync(productSearch, request! with { Mode = searchMode, Collection = collection }, loggers, ct);
    }

    /// <summary>
    /// POST /api/search/image?collection=NAME, multipart: <c>image</c> (the photo), optional <c>q</c>, <c>filter</c>, <c>top</c>. The
    /// upload takes the ingest path: format sniffed from the bytes, dimensions read from the header and checked against
    /// the pixel budget before any decoding, decoded under the decoder memory cap, and normalised; the model then reads
    /// only the normalised JPEG, never the client's bytes.
    /// </summary>
    private static async Task<IResult> SearchByImageAsync(
        HttpRequest http,
        ProductSearch productSearch,
        SearchCollections collections,
        ImageNormalizer normalizer,
        IOptions<SearchOptions> options,
        IOptions<IndexerOptions> indexer,
        IOptions<ImageFetchOptions> imageOptions,
        ILoggerFactory loggers,
        string? collection,
        CancellationToken ct)
    {
        collection = string.IsNullOrWhiteSpace(collection) ? null : collection.Trim();
        if (await UnknownCollectionAsync(collections, collection, ct) is { } unknown)
        {
            return unknown;
        }

        var limits = options.Value;
        if (http.ContentLength > limits.MaxImageBytes + (64 * 1024))
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than {limits.MaxImageBytes} bytes.", "image");
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
            return ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problem(ex.StatusCode, $"the upload is larger than {limits.MaxImageBytes} bytes.", "image")
                : Problem(ex.StatusCode, "the form could not be read.");
        }
        catch (InvalidDataException)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than {limits.MaxImageBytes} bytes.", "image");
        }

        var image = form.Files.GetFile("image");
        if (image is null || image.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "the form has no 'image' file (or it is empty).", "image");
        }

        if (image.Length > limits.MaxImageBytes)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"the image is larger than {limits.MaxImageBytes} bytes.", "image");
        }

        if (image.ContentType is { Length: > 0 } type && !type.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, $"'image' must be an image, not {type}.", "image");
        }

        // Validated before the bytes reach the model (whose decoder has no pixel budget): the whole upload is at most
        // MaxImageBytes, so reading it into memory is bounded.
        var bytes = new byte[image.Length];
        await using (var upload = image.OpenReadStream())
        {
            await upload.ReadExactlyAsync(bytes, ct);
        }

        var normalized = await Task.Run(() => normalizer.Normalize(bytes), ct);
        if (normalized.Bytes is not { } jpeg)
        {
            return ImageProblem(normalized.FailureReason, imageOptions.Value);
        }

        var request = Request(limits, indexer.Value, form["q"], similar: null, form["filter"].OfType<string>().ToArray(), form["top"],
            new DataContent(jpeg, "image/jpeg"), out var problem);
        return problem ?? await RunAsync(productSearch, request! with { Collection = collection }, loggers, ct);
    }

    /// <summary>Absent means hybrid; names only (an enum's numbers are not part of the API).</summary>
    internal static bool TryParseMode(string? mode, out SearchMode parsed)
    {
        parsed = SearchMode.Hybrid;
        return string.IsNullOrWhiteSpace(mode)
            || (Enum.GetNames<SearchMode>().Contains(mode.Trim(), StringComparer.OrdinalIgnoreCase)
                && Enum.TryParse(mode.Trim(), ignoreCase: true, out parsed));
    }

    internal static string Shown(string value) => value.Length > 32 ? value[..32] + "…" : value;

    /// <summary>
    /// A named collection must exist (as a collection or an alias); absent, the default is searched. Unknown is a 404
    /// naming the parameter, like an unknown product.
    /// </summary>
    private static async Task<IResult?> UnknownCollectionAsync(SearchCollections collections, string? collection, CancellationToken ct) =>
        collection is null || await collections.ExistsAsync(collection, ct)
            ? null
            : Problem(StatusCodes.Status404NotFound, $"collection '{Shown(collection)}' does not exist (GET /api/collections lists them).", "collection");

    private static async Task<IResult> ImageAsync(string productId, string? collection, ProductImages images, SearchCollections collections,
        CancellationToken ct) =>
        await images.PathForAsync(productId, collection ?? collections.Default, ct) is { } path
            ? Results.File(path, "image/jpeg", enableRangeProcessing: false)
            : Problem(StatusCodes.Status404NotFound, $"no cached image for product '{productId}'.");

    /// <summary>The upload failed the ingest checks: say which, without decoding anything more.</summary>
    private static IResult ImageProblem(string? reason, ImageFetchOptions budget) => reason switch
    {
        "empty" => Problem(StatusCodes.Status400BadRequest, "'image' is empty.", "image"),
        "unknown_format" or "not_an_image" => Problem(StatusCodes.Status415UnsupportedMediaType,
            "'image' is not a JPEG, PNG, GIF or WebP image (judged by its bytes, not its declared type).", "image"),
        "too_many_pixels" => Problem(StatusCodes.Status413PayloadTooLarge,
            $"'image' is over the pixel budget ({budget.MaxPixels} pixels, {budget.MaxSidePixels} per side); it was not decoded.", "image"),
        _ => Problem(StatusCodes.Status400BadRequest, $"'image' is damaged or truncated ({reason ?? "corrupt_image"}).", "image"),
    };

    internal static SearchRequest? Request(
        SearchOptions limits, IndexerOptions indexer, string? q, string? similar, string[]? filters, string? top, DataContent? image, out IResult? problem)
    {
        problem = null;
        if (q is { Length: > 0 } && q.Length > limits.MaxQueryLength)
        {
            problem = Problem(StatusCodes.Status400BadRequest, $"q: the query is longer than {limits.MaxQueryLength} characters.", "q");
            return null;
        }

        int? count = null;
        if (!string.IsNullOrWhiteSpace(top))
        {
            if (!int.TryParse(top, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsedTop))
            {
                var shown = top.Length > 32 ? top[..32] + "…" : top;
                problem = Problem(StatusCodes.Status400BadRequest, $"top must be a whole number between 1 and {SearchRequest.MaxTop} (got '{shown}').", "top");
                return null;
            }

            if (parsedTop is < 1 or > SearchRequest.MaxTop)
            {
                problem = Problem(StatusCodes.Status400BadRequest, $"top must be between 1 and {SearchRequest.MaxTop} (got {parsedTop}).", "top");
                return null;
            }

            count = parsedTop;
        }

        filters ??= [];
        if (filters.Length > limits.MaxFilters)
        {
            problem = Problem(StatusCodes.Status400BadRequest, $"filter: at most {limits.MaxFilters} filters are allowed.", "filter");
            return null;
        }

        List<KeyValuePair<string, string>> parsed;
        try
        {
            parsed = SearchFilters.Parse(filters, indexer.KeywordIndexes);
        }
        catch (SearchException ex)
        {
            problem = Problem(StatusCodes.Status400BadRequest, ex.Message, "filter");
            return null;
        }

        return new SearchRequest
        {
            Text = q,
            SimilarTo = string.IsNullOrWhiteSpace(similar) ? null : similar.Trim(),
            Image = image,
            Filters = parsed,
            Top = count ?? 10,
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
            return Problem(StatusCodes.Status400BadRequest, ex.Message, ParameterOf(request, ex.Message));
        }
        catch (EmbeddingUnavailableException ex)
        {
            // The model's service stayed rate limited or down past the query deadline: the client may retry later.
            loggers.CreateLogger(typeof(SearchEndpoints)).QueryEmbeddingUnavailable(ex.Message);
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = RetryAfterSeconds })
                .WithRetryAfter(RetryAfterSeconds);
        }
    }

    internal static async ValueTask<object?> RequireApiKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
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

    /// <summary>Which parameter a search refusal is about, for the <c>parameter</c> member.</summary>
    private static string? ParameterOf(SearchRequest request, string message) =>
        message.StartsWith("product ", StringComparison.Ordinal) && request.SimilarTo is not null ? "similar"
        : message.StartsWith("give a ", StringComparison.Ordinal) ? "q"
        : null;

    internal static IResult Problem(int status, string detail, string? parameter = null) =>
        Results.Problem(detail: detail, statusCode: status,
            extensions: parameter is null ? null : new Dictionary<string, object?> { ["parameter"] = parameter });
}
