using Gme.Core.Sources;

namespace Gme.Tests.Ingest;

internal static class SourceRows
{
    public static async Task<List<SourceRow>> ReadAllAsync(IDatasetSource source)
    {
        var rows = new List<SourceRow>();
        await foreach (var row in source.ReadRowsAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    public static string? ParseError(this SourceRow row) =>
        row.Fields.TryGetValue(ProductMapper.ParseErrorField, out var reason) ? reason : null;
}
