using Gme.Core.Errors;
using Gme.Core.Sources;
using Gme.Pipeline.Stages;

namespace Gme.Pipeline.Runs;

/// <summary>
/// Reads a catalogue file the runs API was given once, row by row as the ingest stage will (the same source, product
/// mapper, duplicate-id rule, row limit and <see cref="IngestVerdict"/>), before any run is started: a file the CLI
/// would end with exit 2 is refused with a 400 naming it and the reason, instead of becoming a run that fails later.
/// The request waits for one read of the file; what is read is not kept (the ingest stage reads it again).
/// </summary>
internal static class CatalogueCheck
{
    /// <summary>Throws <see cref="BadInputException"/> when the file is unusable; returns when the ingest stage would accept it.</summary>
    public static async Task RunAsync(IDatasetSourceFactory sources, SourceSpec spec, double maxRejectedPercent, CancellationToken cancellationToken)
    {
        var source = sources.Open(spec);
        var mapper = new ProductMapper(spec.ColumnMap, source.BaseDirectory, spec.ImagesRoot);
        var verdict = new IngestVerdict(spec, source.Description, maxRejectedPercent);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int accepted = 0, rejected = 0;
        await foreach (var row in source.ReadRowsAsync(cancellationToken))
        {
            verdict.Observe(row);
            var (product, rejection) = mapper.Map(row);
            if (product is not null && !ids.Add(product.Id))
            {
                // The ingest stage keeps the first row of an id and rejects the others.
                rejection = new RowRejection(row.RowNumber, product.Id, "duplicate product id");
                product = null;
            }

            if (rejection is not null)
            {
                rejected++;
                verdict.Rejected(rejection);
            }
            else if (product is not null && ++accepted == spec.Limit)
            {
                break;
            }
        }

        verdict.Check(accepted, rejected);
    }
}
