using System.Globalization;
using Gme.Core.Errors;
using Gme.Core.Sources;

namespace Gme.Pipeline.Stages;

/// <summary>
/// Decides at the end of ingest whether the input was usable, so that a wrong file never "passes" with 0 products:
/// a <c>--map</c> column the input does not have, no accepted row at all, or more rejected rows than
/// <see cref="IngestOptions.MaxRejectedPercent"/> allows each end the run with one <see cref="BadInputException"/>.
/// </summary>
internal sealed class IngestVerdict(SourceSpec spec, string input, double maxRejectedPercent)
{
    /// <summary>Enough to list a file's columns; a JSONL file with ever-new keys must not grow this without end.</summary>
    private const int MaxColumnsKept = 1000;

    private readonly SortedSet<string> _columns = new(StringComparer.Ordinal);
    private string? _firstRejection;

    public void Observe(SourceRow row)
    {
        if (_columns.Count >= MaxColumnsKept || row.Fields.ContainsKey(ProductMapper.ParseErrorField))
        {
            return;
        }

        foreach (var key in row.Fields.Keys)
        {
            _columns.Add(key);
        }
    }

    public void Rejected(RowRejection rejection) => _firstRejection ??= $"row {rejection.RowNumber}: {rejection.Reason}";

    /// <summary>Throws <see cref="BadInputException"/> when the input was not usable; returns when it was.</summary>
    public void Check(int accepted, int rejected)
    {
        if (_columns.Count > 0)
        {
            foreach (var (field, column) in spec.ColumnMap)
            {
                if (!_columns.Contains(column))
                {
                    throw new BadInputException("--map", $"{field}={column}: {input} has no column '{column}'; its columns are {List(_columns)}");
                }
            }
        }

        var total = accepted + rejected;
        if (accepted == 0)
        {
            throw new BadInputException(input, total == 0
                ? "holds no data rows (empty or only a header): 0 products"
                : $"all {rejected} rows were rejected, 0 products (first: {_firstRejection})");
        }

        if (rejected * 100.0 > maxRejectedPercent * total)
        {
            var percent = (rejected * 100.0 / total).ToString("0.#", CultureInfo.InvariantCulture);
            throw new BadInputException(input,
                $"{rejected} of {total} rows were rejected ({percent} %), more than the {maxRejectedPercent.ToString(CultureInfo.InvariantCulture)} % allowed "
                + $"(Gme:Ingest:MaxRejectedPercent; first: {_firstRejection})");
        }
    }

    private static string List(IReadOnlyCollection<string> columns) =>
        columns.Count <= 40 ? string.Join(", ", columns) : string.Join(", ", columns.Take(40)) + $", … ({columns.Count} in all)";
}
