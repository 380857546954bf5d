using System.Globalization;
using System.Runtime.CompilerServices;
using Gme.Core.Storage;
using Parquet;
using Parquet.Schema;

namespace Gme.Core.VectorFiles;

/// <summary>
/// Reads vector files written by <see cref="VectorFileWriter"/> (or any Parquet file with the same columns), one row
/// group at a time so a large file never sits in memory whole.
/// </summary>
public static class VectorFileReader
{
    /// <summary>The vector spaces (list-of-float columns) in the file, in column order, with their sizes.</summary>
    public static async Task<IReadOnlyList<(string Name, int Dimensions)>> ReadSpacesAsync(
        string path,
        CancellationToken cancellationToken = default)
    {
        await using var reader = await OpenAsync(path, cancellationToken);
        return await ReadSpacesAsync(reader, path, cancellationToken);
    }

    public static async IAsyncEnumerable<VectorRow> ReadRowsAsync(
        string path,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var reader = await OpenAsync(path, cancellationToken);
        var spaces = await ReadSpacesAsync(reader, path, cancellationToken);
        var productIdField = RequireColumn(reader.Schema, VectorFileSchema.ProductIdColumn, path);
        var pointIdField = RequireColumn(reader.Schema, VectorFileSchema.PointIdColumn, path);
        var elements = spaces.Select(s => ElementOf(reader.Schema, s.Name)).ToArray();

        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var productIds = new string?[count];
            var pointIds = new string?[count];
            await group.ReadAsync(productIdField, productIds.AsMemory(), cancellationToken: cancellationToken);
            await group.ReadAsync(pointIdField, pointIds.AsMemory(), cancellationToken: cancellationToken);

            var columns = new List<float[]?[]>(spaces.Count);
            for (var s = 0; s < spaces.Count; s++)
            {
                columns.Add(await ReadListColumnAsync(group, elements[s], count, path, cancellationToken));
            }

            for (var i = 0; i < count; i++)
            {
                var productId = productIds[i] ?? throw new InvalidDataException($"{path}: row {i} of row group {g} has no product id.");
                if (!Guid.TryParse(pointIds[i], out var pointId))
                {
                    throw new InvalidDataException($"{path}: product '{productId}' has point id '{pointIds[i]}', which is not a UUID.");
                }

                var vectors = new Dictionary<string, float[]>(spaces.Count, StringComparer.Ordinal);
                for (var s = 0; s < spaces.Count; s++)
                {
                    // A null list means the product has no vector in that space; leave it out.
                    if (columns[s][i] is { } vector)
                    {
                        if (vector.Length != spaces[s].Dimensions)
                        {
                            throw new InvalidDataException(
                                $"{path}: product '{productId}' vector '{spaces[s].Name}' has {vector.Length} dimensions, expected {spaces[s].Dimensions}.");
                        }

                        vectors[spaces[s].Name] = vector;
                    }
                }

                yield return new VectorRow(productId, pointId, vectors);
            }
        }
    }

    /// <summary>Opens the file once its footer is known to be whole: a damaged one would hang the Parquet library.</summary>
    private static async Task<ParquetReader> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
        try
        {
            ParquetFooter.Check(path, stream);
            return await ParquetReader.CreateAsync(ParquetFooter.GuardEnd(stream), leaveStreamOpen: false, cancellationToken: cancellationToken);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private static async Task<IReadOnlyList<(string Name, int Dimensions)>> ReadSpacesAsync(
        ParquetReader reader,
        string path,
        CancellationToken cancellationToken)
    {
        var spaces = new List<(string Name, int Dimensions)>();
        foreach (var field in reader.Schema.Fields)
        {
            if (field is not ListField { Item: DataField item } || item.ClrType != typeof(float))
            {
                continue;
            }

            var dimensions = reader.CustomMetadata.TryGetValue(VectorFileSchema.DimensionsKeyPrefix + field.Name, out var text)
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : await FirstListLengthAsync(reader, item, path, cancellationToken);
            spaces.Add((field.Name, dimensions));
        }

        return spaces.Count > 0 ? spaces : throw new InvalidDataException($"{path} has no list-of-float vector column.");
    }

    /// <summary>For files written elsewhere without our metadata: the size of the first vector present.</summary>
    private static async Task<int> FirstListLengthAsync(ParquetReader reader, DataField element, string path, CancellationToken cancellationToken)
    {
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var lists = await ReadListColumnAsync(group, element, checked((int)group.RowCount), path, cancellationToken);
            if (lists.FirstOrDefault(l => l is not null) is { } first)
            {
                return first.Length;
            }
        }

        return 0;
    }

    /// <summary>
    /// Rebuilds one list per row from the flat values and their levels: repetition level 0 starts a row; a definition
    /// level below the maximum is a null or empty list (or a null element, which a vector cannot have).
    /// </summary>
    private static async Task<float[]?[]> ReadListColumnAsync(
        ParquetRowGroupReader group,
        DataField element,
        int rowCount,
        string path,
        CancellationToken cancellationToken)
    {
        var levelCount = checked((int)(group.GetMetadata(element)?.MetaData?.NumValues ?? 0));
        var values = VectorFileBuffers.Floats.Rent(levelCount);
        var definition = VectorFileBuffers.Levels.Rent(levelCount);
        var repetition = VectorFileBuffers.Levels.Rent(levelCount);
        try
        {
            await group.ReadRawAsync<float>(
                element, values.AsMemory(0, levelCount), definition.AsMemory(0, levelCount), repetition.AsMemory(0, levelCount), cancellationToken);
            return ToLists(element, values, definition, repetition, levelCount, rowCount, path);
        }
        finally
        {
            VectorFileBuffers.Floats.Return(values);
            VectorFileBuffers.Levels.Return(definition);
            VectorFileBuffers.Levels.Return(repetition);
        }
    }

    private static float[]?[] ToLists(DataField element, float[] values, int[] definition, int[] repetition, int levelCount, int rowCount, string path)
    {

        var lists = new float[]?[rowCount];
        var row = -1;
        var valueIndex = 0;
        var level = 0;
        while (level < levelCount)
        {
            if (repetition[level] != 0)
            {
                throw new InvalidDataException($"{path}: column '{element.Path}' does not start a row where expected.");
            }

            row++;
            var end = level + 1;
            while (end < levelCount && repetition[end] != 0)
            {
                end++;
            }

            if (row >= rowCount)
            {
                throw new InvalidDataException($"{path}: column '{element.Path}' has more rows than the row group.");
            }

            if (definition[level] == element.MaxDefinitionLevel)
            {
                for (var i = level; i < end; i++)
                {
                    if (definition[i] != element.MaxDefinitionLevel)
                    {
                        throw new InvalidDataException($"{path}: column '{element.Path}' row {row} has a null element.");
                    }
                }

                lists[row] = values.AsSpan(valueIndex, end - level).ToArray();
                valueIndex += end - level;
            }
            else if (end - level != 1)
            {
                throw new InvalidDataException($"{path}: column '{element.Path}' row {row} has a null element.");
            }

            level = end;
        }

        return lists;
    }

    private static DataField RequireColumn(ParquetSchema schema, string name, string path) =>
        schema.Fields.OfType<DataField>().FirstOrDefault(f => f.Name == name)
        ?? throw new InvalidDataException($"{path} has no '{name}' column.");

    private static DataField ElementOf(ParquetSchema schema, string name) =>
        (DataField)schema.Fields.OfType<ListField>().First(f => f.Name == name).Item;
}
