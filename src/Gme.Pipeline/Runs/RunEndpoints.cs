using Gme.Contracts;
using Gme.Core;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gme.Pipeline.Runs;

/// <summary>
/// The distributed profile's front door: <c>POST /runs</c> starts (or resumes) a run exactly as `gme run` does, and
/// <c>GET /runs/{id}</c> reports per-stage counts from the ledger.
/// </summary>
public static class RunEndpoints
{
    public static IEndpointRouteBuilder MapRunEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/runs", StartAsync);
        app.MapGet("/runs/{id:guid}", GetAsync);
        return app;
    }

    private static async Task<IResult> StartAsync(
        StartRunRequest request, RunStarter starter, PipelineRecovery recovery, IBus bus, IOptions<IngestOptions> ingest, CancellationToken cancellationToken)
    {
        var hasPath = !string.IsNullOrWhiteSpace(request.Path);
        if (hasPath == (request.SampleProducts > 0) || request.SampleProducts is < 0 or > 1_000_000 || request.Limit < 0)
        {
            return Results.Problem("Give either sampleProducts (1 to 1,000,000) or path, and a limit of 0 or more.", statusCode: 400);
        }

        if (request.Collection is not null && !GmeOptions.IsValidCollectionName(request.Collection))
        {
            return Results.Problem($"collection '{request.Collection}': {GmeOptions.CollectionNameRule}", statusCode: 400);
        }

        if (hasPath && !File.Exists(request.Path))
        {
            return Results.Problem($"Catalogue '{request.Path}' does not exist on the Ingest service.", statusCode: 400);
        }

        var spec = hasPath
            ? new SourceSpec { Kind = "file", Location = Path.GetFullPath(request.Path!), Limit = request.Limit, ImagesRoot = ingest.Value.ImagesRoot }
            : new SourceSpec { Kind = "sample", SampleProducts = request.SampleProducts, Limit = request.Limit };
        var description = hasPath ? spec.Location : $"sample catalogue ({spec.SampleProducts} products)";
        // The run records its collection; every service reads it from the run (and the messages that name products).
        var (runId, resumed) = await starter.StartOrResumeAsync(spec, description, request.Collection, cancellationToken);
        await bus.Publish(new RunStarted { RunId = runId }, cancellationToken);
        if (resumed)
        {
            // The run saga (in this service) takes a paused or failed run back on RunStarted; answer once it has.
            await starter.WaitUntilResumedAsync(runId, TimeSpan.FromSeconds(30), cancellationToken);
            await recovery.RequeueAsync(runId, bus, releaseClaims: false, cancellationToken);
        }

        return Results.Accepted($"/runs/{runId}", new { runId, resumed });
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
}
