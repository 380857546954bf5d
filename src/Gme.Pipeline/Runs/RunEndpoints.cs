using Gme.Contracts;
using Gme.Core;
using Gme.Core.Errors;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Gme.Sources.HuggingFace;
using MassTransit;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gme.Pipeline.Runs;

/// <summary>
/// The distributed profile's front door: <c>POST /runs</c> starts (or resumes) a run exactly as `gme run` does, on a
/// sample, a catalogue URL (<c>hf://</c>, https), an uploaded catalogue or a file on the service; <c>GET /runs</c>
/// lists runs, newest first; <c>GET /runs/{id}</c> reports per-stage counts from the ledger. Every refusal is a
/// ProblemDetails whose <c>parameter</c> member names what is wrong.
/// </summary>
public static class RunEndpoints
{
    /// <summary>The runs API's services: options (section <c>Gme:Runs</c>), the catalogue inbox and its sweeper.</summary>
    public static IServiceCollection AddRunsApi(this IServiceCollection services)
    {
        services.AddOptions<RunsApiOptions>().BindConfiguration(RunsApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(CatalogueInbox.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<CatalogueInbox>();
        services.AddSingleton<CatalogueInboxSweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<CatalogueInboxSweeper>());

        // Products waiting at each stage, as a gauge on the dashboard (the runs API's service owns the runs).
        services.AddSingleton<Telemetry.PipelineDepth>();
        services.AddHostedService(provider => provider.GetRequiredService<Telemetry.PipelineDepth>());
        return services;
    }

    /// <summary>The whole runs API, behind <see cref="RunsApiOptions.ApiKey"/> when one is set.</summary>
    public static IEndpointRouteBuilder MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        var runs = app.MapRunQueries(services => services.GetRequiredService<IOptions<RunsApiOptions>>().Value.ApiKey);
        runs.MapPost("/", StartAsync).DisableAntiforgery();
        return app;
    }

    /// <summary>
    /// <c>GET /runs</c> and <c>GET /runs/{id}</c> only, behind the key <paramref name="apiKey"/> gives (none when it
    /// gives null): the search service serves these too, so `gme status --url` works with either endpoint.
    /// </summary>
    public static RouteGroupBuilder MapRunQueries(this IEndpointRouteBuilder app, Func<IServiceProvider, string?> apiKey)
    {
        var runs = app.MapGroup("/runs").AddEndpointFilter(new ApiKeyFilter(apiKey).InvokeAsync);
        runs.MapGet("/", ListAsync);
        runs.MapGet("/{id:guid}", GetAsync);
        return runs;
    }

    private static async Task<IResult> StartAsync(
        HttpContext http, RunStarter starter, PipelineRecovery recovery, IBus bus, CatalogueInbox inbox, IDatasetSourceFactory sources,
        IOptions<IngestOptions> ingest, Telemetry.PipelineDepth depth, CancellationToken cancellationToken)
    {
        RequestedRun requested;
        try
        {
            requested = http.Request.HasFormContentType
                ? await UploadedAsync(http, inbox, ingest.Value, cancellationToken)
                : await FromJsonAsync(http, inbox, ingest.Value, cancellationToken);
        }
        catch (BadInputException ex)
        {
            return Problem(ex.Message, ex.Input);
        }

        // The run records its collection; every service reads it from the run (and the messages that name products).
        var collection = http.Request.Query["collection"].FirstOrDefault() is { Length: > 0 } query ? query : requested.Collection;
        if (collection is not null && !GmeOptions.IsValidCollectionName(collection))
        {
            CatalogueInbox.Discard(requested.Stored);
            return Problem($"collection '{collection}': {GmeOptions.CollectionNameRule}", "collection");
        }

        if (requested.Spec.Kind == "file")
        {
            // Read once as the ingest stage will: a file the CLI would refuse (exit 2) never becomes a run here either.
            try
            {
                await CatalogueCheck.RunAsync(sources, requested.Spec, ingest.Value.MaxRejectedPercent, cancellationToken);
            }
            catch (BadInputException ex)
            {
                CatalogueInbox.Discard(requested.Stored);
                return Problem(requested.Shown(ex.Message), requested.Parameter);
            }
            catch (OperationCanceledException)
            {
                CatalogueInbox.Discard(requested.Stored);
                throw;
            }
        }

        var (runId, resumed) = await starter.StartOrResumeAsync(requested.Spec, requested.Description, collection, cancellationToken);
        depth.Wake();
        await bus.Publish(new RunStarted { RunId = runId }, cancellationToken);
        if (resumed)
        {
            // The run saga (in this service) takes a paused or failed run back on RunStarted; answer once it has.
            await starter.WaitUntilResumedAsync(runId, TimeSpan.FromSeconds(30), cancellationToken);
            await recovery.RequeueAsync(runId, bus, releaseClaims: false, cancellationToken);
        }

        return Results.Accepted($"/runs/{runId}", new { runId, resumed });
    }

    private static async Task<RequestedRun> FromJsonAsync(HttpContext http, CatalogueInbox inbox, IngestOptions ingest, CancellationToken cancellationToken)
    {
        StartRunRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<StartRunRequest>(cancellationToken);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new BadInputException("body", "give a JSON object {sampleProducts | url | path, limit, collection}, or upload a catalogue as multipart/form-data (field 'catalogue')");
        }

        var given = new[] { request?.SampleProducts > 0, !string.IsNullOrWhiteSpace(request?.Url), !string.IsNullOrWhiteSpace(request?.Path) }.Count(g => g);
        if (request is null || given != 1)
        {
            throw new BadInputException("body", "give exactly one of sampleProducts (1 to 1,000,000), url (hf:// or https) or path");
        }

        if (request.SampleProducts is < 0 or > 1_000_000)
        {
            throw new BadInputException("sampleProducts", "give 1 to 1,000,000 products");
        }

        if (request.Limit < 0)
        {
            throw new BadInputException("limit", "give 0 (no limit) or more");
        }

        if (request.SampleProducts > 0)
        {
            var sample = new SourceSpec { Kind = "sample", SampleProducts = request.SampleProducts, Limit = request.Limit };
            return new(sample, $"sample catalogue ({sample.SampleProducts} products)", request.Collection, "sampleProducts");
        }

        if (request.Path is { } path && !string.IsNullOrWhiteSpace(path))
        {
            // Missing, a directory, a FIFO or a device: refused with the CLI's own line by the catalogue check, which
            // never opens what is not a regular file.
            var file = new SourceSpec { Kind = "file", Location = Path.GetFullPath(path), Limit = request.Limit, ImagesRoot = ingest.ImagesRoot };
            return new(file, file.Location, request.Collection, "path");
        }

        var url = request.Url!.Trim();
        if (url.StartsWith(HuggingFaceDatasetRef.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            HuggingFaceDatasetRef dataset;
            try
            {
                dataset = HuggingFaceDatasetRef.Parse(url);
            }
            catch (FormatException ex)
            {
                throw new BadInputException("url", ex.Message);
            }

            var hf = new SourceSpec { Kind = "hf", Location = dataset.ToString(), Limit = request.Limit, ImagesRoot = ingest.ImagesRoot };
            return new(hf, HuggingFaceDatasetRef.Scheme + hf.Location, request.Collection, "url");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new BadInputException("url", "give hf://owner/name[@revision][:split] or an https:// URL of a .csv, .jsonl or .parquet catalogue");
        }

        var stored = await inbox.DownloadAsync(uri, cancellationToken);
        var shown = uri.GetLeftPart(UriPartial.Path);
        return new(Stored(stored, request.Limit, inbox, ingest), $"{shown} ({Path.GetFileNameWithoutExtension(stored.Path)[..12]})",
            request.Collection, "url", stored, shown);
    }

    /// <summary>
    /// <c>multipart/form-data</c>: the file in field <c>catalogue</c>, streamed to the inbox without buffering; an
    /// optional <c>limit</c> field. The inbox names the file by its content: the uploaded name only gives its type, and
    /// how it is shown (no folder of it, no control characters).
    /// </summary>
    private static async Task<RequestedRun> UploadedAsync(HttpContext http, CatalogueInbox inbox, IngestOptions ingest, CancellationToken cancellationToken)
    {
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // The inbox enforces Gme:Runs:MaxCatalogueBytes itself while it streams; Kestrel's 30 MB default would cut uploads short.
            size.MaxRequestBodySize = null;
        }

        var boundary = MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
        {
            throw new BadInputException("catalogue", "a multipart/form-data upload needs a boundary");
        }

        var reader = new MultipartReader(boundary, http.Request.Body);
        StoredCatalogue? stored = null;
        string? name = null;
        var limit = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                if (disposition.Name.Value == "catalogue" && disposition.IsFileDisposition())
                {
                    if (stored is not null)
                    {
                        throw new BadInputException("catalogue", "upload one catalogue file per run");
                    }

                    name = UploadName.Shown(disposition.FileNameStar.Value ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value);
                    stored = await inbox.StoreAsync(section.Body, name, cancellationToken);
                }
                else if (disposition.Name.Value == "limit")
                {
                    using var text = new StreamReader(section.Body);
                    var value = await text.ReadToEndAsync(cancellationToken);
                    if (!int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 0)
                    {
                        throw new BadInputException("limit", "give 0 (no limit) or more");
                    }
                }
            }
        }
        catch (Exception ex)
        {
            // Nothing is left behind for a refused or cut-off upload.
            CatalogueInbox.Discard(stored);
            if (ex is IOException and not FileNotFoundException)
            {
                throw new BadInputException("catalogue", $"the upload{(name is null ? "" : $" of '{name}'")} was cut off or malformed: {ex.Message}");
            }

            throw;
        }

        return stored is null
            ? throw new BadInputException("catalogue", "upload the catalogue file in the form field 'catalogue'")
            : new(Stored(stored, limit, inbox, ingest), $"upload {name} ({Path.GetFileNameWithoutExtension(stored.Path)[..12]})",
                Collection: null, "catalogue", stored, name);
    }

    /// <summary>
    /// A catalogue the inbox holds: its relative image paths would point into the inbox, so they are confined to the
    /// configured images root, or to the inbox (where no image lies: such rows fail with a reason, URLs work).
    /// </summary>
    private static SourceSpec Stored(StoredCatalogue stored, int limit, CatalogueInbox inbox, IngestOptions ingest) =>
        new() { Kind = "file", Location = stored.Path, Limit = limit, ImagesRoot = ingest.ImagesRoot ?? inbox.Folder };

    /// <summary>GET /runs?page=1&amp;pageSize=20: the runs, newest first.</summary>
    private static async Task<IResult> ListAsync(
        IDbContextFactory<LedgerDbContext> dbFactory, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var number = page ?? 1;
        var size = pageSize ?? 20;
        if (number < 1)
        {
            return Problem("page: give 1 or more", "page");
        }

        if (size is < 1 or > RunList.MaxPageSize)
        {
            return Problem($"pageSize: give 1 to {RunList.MaxPageSize}", "pageSize");
        }

        return Results.Ok(await RunList.ReadAsync(dbFactory, number, size, cancellationToken));
    }

    private static async Task<IResult> GetAsync(
        Guid id, LedgerStatus status, IDbContextFactory<LedgerDbContext> dbFactory, CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Runs.AnyAsync(r => r.Id == id, cancellationToken))
            {
                return Results.NotFound();
            }
        }

        var counts = await status.ReadRunAsync(id, cancellationToken);
        return Results.Ok(new
        {
            runId = id,
            status = counts.Status.ToString(),
            finished = counts.IsFinished,
            counts.IngestDone,
            counts.Ingested,
            counts.Images,
            counts.Sharded,
            counts.Embedded,
            counts.Indexed,
            counts.Failed,
            counts.ValidationPassed,
            counts.ReportPath,
            counts.Error,
            counts.StalledService,
        });
    }

    private static IResult Problem(string detail, string parameter) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });
}
