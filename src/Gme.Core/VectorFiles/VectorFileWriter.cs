using System.Globalization;
using System.Security.Cryptography;
using Gme.Core.Storage;
using Gme.Core.Vectors;
using Parquet;
using Parquet.Schema;

namespace Gme.Core.VectorFiles;

/// <summary>
/// Writes product vectors to a Parquet file: <c>product_id</c>, <c>point_id</c>, <c>model_id</c> and one list-of-float
/// column per vector space. Every vector is validated first, so a bad one fails the whole file before anything is
/// written, and the file appears at its final path only once complete.
/// </summary>
public static class VectorFileWriter
{
    public static async Task<VectorFileSummary> WriteAsync(
        string path,
        string modelId,
        IReadOnlyList<(string Name, int Dimensions)> spaces,
        IReadOnlyList<VectorRow> rows,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        ArgumentNullException.ThrowIfNull(spaces);
        ArgumentNullException.ThrowIfNull(rows);
        CheckSpaces(spaces);
        CheckRows(spaces, rows);

        var listFields = spaces.Select(s => VectorFileSchema.Space(s.Name)).ToArray();
        var schema = new ParquetSchema(
            new Field[] { VectorFileSchema.ProductId, VectorFileSchema.PointId, VectorFileSchema.ModelId }.Concat(listFields));
        var metadata = new Dictionary<string, string> { [VectorFileSchema.ModelIdKey] = modelId };
        foreach (var (name, dimensions) in spaces)
        {
            metadata[VectorFileSchema.DimensionsKeyPrefix + name] = dimensions.ToString(CultureInfo.InvariantCulture);
        }

        await AtomicFile.WriteAsync(
            path,
            async stream =>
            {
                await using var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: cancellationToken);
                writer.CustomMetadata = metadata;
                for (var start = 0; start < rows.Count; start += VectorFileSchema.RowGroupSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var count = Math.Min(VectorFileSchema.RowGroupSize, rows.Count - start);
                    await WriteRowGroupAsync(writer, schema, spaces, modelId, rows, start, count, cancellationToken);
                }
            },
            cancellationToken);

        await using var written = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        var hash = await SHA256.HashDataAsync(written, cancellationToken);
        return new VectorFileSummary(rows.Count, Convert.ToHexStringLower(hash));
    }

    private static async Task WriteRowGroupAsync(
        ParquetWriter writer,
        ParquetSchema schema,
        IReadOnlyList<(string Name, int Dimensions)> spaces,
        string modelId,
        IReadOnlyList<VectorRow> rows,
        int start,
        int count,
        CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        var productIds = new string[count];
        var pointIds = new string[count];
        for (var i = 0; i < count; i++)
        {
            productIds[i] = rows[start + i].ProductId;
            pointIds[i] = rows[start + i].PointId.ToString("D");
        }

        await group.WriteAsync(VectorFileSchema.ProductId, productIds);
        await group.WriteAsync(VectorFileSchema.PointId, pointIds);
        await group.WriteAsync(VectorFileSchema.ModelId, Enumerable.Repeat(modelId, count).ToArray());

        var dataFields = schema.GetDataFields();
        for (var s = 0; s < spaces.Count; s++)
        {
            var (name, dimensions) = spaces[s];
            var length = count * dimensions;
            var values = VectorFileBuffers.Floats.Rent(length);
            var repetition = VectorFileBuffers.Levels.Rent(length);
            var definition = VectorFileBuffers.Levels.Rent(length);
            try
            {
                for (var i = 0; i < count; i++)
                {
                    rows[start + i].Vectors[name].CopyTo(values, i * dimensions);

                    // Repetition level 0 starts a new row's list; 1 continues it.
                    repetition[i * dimensions] = 0;
                    repetition.AsSpan((i * dimensions) + 1, dimensions - 1).Fill(1);
                }

                // Every list and element is present, so every definition level is the maximum.
                var element = dataFields[3 + s];
                definition.AsSpan(0, length).Fill(element.MaxDefinitionLevel);
                await group.WriteAllPartsAsync<float>(
                    element, values.AsMemory(0, length), definition.AsMemory(0, length), repetition.AsMemory(0, length), cancellationToken);
            }
            finally
            {
                VectorFileBuffers.Floats.Return(values);
                VectorFileBuffers.Levels.Return(repetition);
                VectorFileBuffers.Levels.Return(definition);
            }
        }

        group.CompleteValidate();
    }

    private static void CheckSpaces(IReadOnlyList<(string Name, int Dimensions)> spaces)
    {
        if (spaces.Count == 0)
        {
            throw new ArgumentException("At least one vector space is required.", nameof(spaces));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, dimensions) in spaces)
        {
            if (string.IsNullOrWhiteSpace(name) || VectorFileSchema.IsReservedName(name) || !seen.Add(name))
            {
                throw new ArgumentException($"Vector space name '{name}' is empty, reserved or repeated.", nameof(spaces));
            }

            if (dimensions <= 0)
            {
                throw new ArgumentException($"Vector space '{name}' has {dimensions} dimensions.", nameof(spaces));
            }
        }
    }

    private static void CheckRows(IReadOnlyList<(string Name, int Dimensions)> spaces, IReadOnlyList<VectorRow> rows)
    {
        foreach (var row in rows)
        {
            if (string.IsNullOrEmpty(row.ProductId))
            {
                throw new InvalidDataException($"A row with point id {row.PointId} has no product id.");
            }

            foreach (var (name, dimensions) in spaces)
            {
                if (!row.Vectors.TryGetValue(name, out var vector))
                {
                    throw new InvalidDataException($"Product '{row.ProductId}': vector '{name}' is missing.");
                }

                if (VectorValidator.Check(vector, dimensions) is { } reason)
                {
                    throw new InvalidDataException($"Product '{row.ProductId}': vector '{name}' is invalid: {reason}.");
                }
            }

            if (row.Vectors.Count != spaces.Count)
            {
                var unknown = row.Vectors.Keys.First(k => !spaces.Any(s => s.Name == k));
                throw new InvalidDataException($"Product '{row.ProductId}': vector '{unknown}' is not one of the file's spaces.");
            }
        }
    }
}
