using System.Globalization;
using System.Text;
using Gme.Sources;

namespace Gme.Bench.Scale;

/// <summary>
/// A catalogue of any size made from the H&amp;M sample: its 1,000 products cycled, each cycle with new ids and a
/// slightly different description (so every product is a distinct document to embed), photos named by URL on the
/// loopback photo server. Written as CSV in the sample's own columns, so `gme run --source` reads it with no mapping.
/// </summary>
internal static class ScaleCatalogue
{
    public static async Task<int> WriteAsync(string sampleCsv, string target, int products, Uri photos, CancellationToken ct)
    {
        var (header, rows) = await ReadAsync(sampleCsv, ct);
        int Column(string name) => header.IndexOf(name) is >= 0 and var i ? i : throw new InvalidDataException($"{sampleCsv}: no column '{name}'");
        var id = Column("product_id");
        var description = Column("description");
        var image = Column("image_file");

        await using var writer = new StreamWriter(target, append: false, new UTF8Encoding(false));
        await writer.WriteLineAsync(Line(header));
        for (var n = 0; n < products; n++)
        {
            var cycle = n / rows.Count;
            var fields = rows[n % rows.Count].ToArray();
            var photo = Path.GetFileName(fields[image]);
            if (cycle > 0)
            {
                fields[id] = string.Create(CultureInfo.InvariantCulture, $"{fields[id]}-{cycle}");
                fields[description] = string.Create(CultureInfo.InvariantCulture, $"{fields[description]} Edition {cycle}.");
            }

            // A distinct URL per product: the pipeline downloads each one, as it would from a real catalogue.
            fields[image] = new Uri(photos, $"photos/{cycle}/{photo}").ToString();
            await writer.WriteLineAsync(Line(fields));
        }

        return rows.Count;
    }

    private static async Task<(List<string> Header, List<IReadOnlyList<string>> Rows)> ReadAsync(string csv, CancellationToken ct)
    {
        using var text = new StreamReader(csv, Encoding.UTF8);
        var reader = new CsvRecordReader(text);
        var header = (await reader.ReadAsync(ct))?.Fields.ToList() ?? throw new InvalidDataException(csv + " is empty");
        var rows = new List<IReadOnlyList<string>>();
        while (await reader.ReadAsync(ct) is { } record)
        {
            rows.Add(record.Fields);
        }

        return (header, rows);
    }

    private static string Line(IEnumerable<string> fields) =>
        string.Join(',', fields.Select(f => "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
}
