using System.Security.Cryptography;
using Gme.Core.VectorFiles;
using Gme.Core.Vectors;
using Gme.Tests.Support;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;
using ParquetType = Parquet.Meta.Type;

namespace Gme.Tests.Vectors;

public sealed class VectorFileTests : IDisposable
{
    private static readonly (string Name, int Dimensions)[] s_spaces = [("text", 8), ("image", 5)];

    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task WriteThenRead_ManyRowGroups_RoundTripsEveryRow()
    {
        var path = Path.Combine(_directory.Path, "vectors.parquet");
        var rows = Rows(new Random(1), 2500);

        var summary = await VectorFileWriter.WriteAsync(path, "local-minilm-clip", s_spaces, rows, Ct);

        Assert.Equal(2500, summary.Rows);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, Ct))), summary.Sha256);
        Assert.Equal(s_spaces, await VectorFileReader.ReadSpacesAsync(path, Ct));

        var read = new List<VectorRow>();
        await foreach (var row in VectorFileReader.ReadRowsAsync(path, Ct))
        {
            read.Add(row);
        }

        Assert.Equal(rows.Count, read.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i].ProductId, read[i].ProductId);
            Assert.Equal(rows[i].PointId, read[i].PointId);
            Assert.Equal(rows[i].Vectors["text"], read[i].Vectors["text"]);
            Assert.Equal(rows[i].Vectors["image"], read[i].Vectors["image"]);
        }
    }

    [Fact]
    public async Task Write_Schema_IsStandardListOfFloatColumns()
    {
        var path = Path.Combine(_directory.Path, "vectors.parquet");
        await VectorFileWriter.WriteAsync(path, "gemini-embedding-2", [("product", 6)], Rows(new Random(2), 3, [("product", 6)]), Ct);

        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: Ct);
        var fields = reader.Schema.Fields;
        Assert.Equal(["product_id", "point_id", "model_id", "product"], fields.Select(f => f.Name));
        Assert.All(fields.Take(3), f =>
        {
            Assert.Equal(ParquetType.BYTE_ARRAY, f.SchemaElement?.Type);
            Assert.Equal(ConvertedType.UTF8, f.SchemaElement?.ConvertedType);
        });

        var list = Assert.IsType<ListField>(fields[3]);
        Assert.Equal(ConvertedType.LIST, list.SchemaElement?.ConvertedType);
        var element = Assert.IsType<DataField>(list.Item);
        Assert.Equal(typeof(float), element.ClrType);
        Assert.Equal(ParquetType.FLOAT, element.SchemaElement?.Type);
        Assert.Equal(1, element.MaxRepetitionLevel);
        Assert.Equal("product/list/element", element.Path.ToString());

        using var group = reader.OpenRowGroupReader(0);
        var modelIds = new string?[group.RowCount];
        await group.ReadAsync(reader.Schema.DataFields[2], modelIds.AsMemory(), cancellationToken: Ct);
        Assert.All(modelIds, m => Assert.Equal("gemini-embedding-2", m));
    }

    [Fact]
    public async Task Write_NaNInOneVector_IsRefusedNamingTheProductAndWritesNothing()
    {
        var path = Path.Combine(_directory.Path, "vectors.parquet");
        var rows = Rows(new Random(3), 50);
        rows[17].Vectors["image"][2] = float.NaN;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => VectorFileWriter.WriteAsync(path, "m", s_spaces, rows, Ct));

        Assert.Contains("p17", error.Message, StringComparison.Ordinal);
        Assert.Contains("image", error.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory.Path));
    }

    [Fact]
    public async Task Write_WrongSizeOrMissingOrZeroVector_IsRefused()
    {
        var path = Path.Combine(_directory.Path, "vectors.parquet");
        var random = new Random(4);

        var wrongSize = Rows(random, 3);
        wrongSize[1] = wrongSize[1] with { Vectors = new Dictionary<string, float[]>(wrongSize[1].Vectors) { ["text"] = new float[7] } };
        var missing = Rows(random, 3);
        missing[2] = missing[2] with { Vectors = new Dictionary<string, float[]> { ["text"] = missing[2].Vectors["text"] } };
        var zero = Rows(random, 3);
        zero[0] = zero[0] with { Vectors = new Dictionary<string, float[]>(zero[0].Vectors) { ["image"] = new float[5] } };

        Assert.Contains("p1", (await Assert.ThrowsAsync<InvalidDataException>(() => VectorFileWriter.WriteAsync(path, "m", s_spaces, wrongSize, Ct))).Message, StringComparison.Ordinal);
        Assert.Contains("p2", (await Assert.ThrowsAsync<InvalidDataException>(() => VectorFileWriter.WriteAsync(path, "m", s_spaces, missing, Ct))).Message, StringComparison.Ordinal);
        Assert.Contains("p0", (await Assert.ThrowsAsync<InvalidDataException>(() => VectorFileWriter.WriteAsync(path, "m", s_spaces, zero, Ct))).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Write_FailingOverAnExistingFile_LeavesTheOldFileWhole()
    {
        var path = Path.Combine(_directory.Path, "vectors.parquet");
        var first = await VectorFileWriter.WriteAsync(path, "m", s_spaces, Rows(new Random(5), 10), Ct);
        var bad = Rows(new Random(6), 10);
        bad[9].Vectors["text"][0] = float.PositiveInfinity;

        await Assert.ThrowsAsync<InvalidDataException>(() => VectorFileWriter.WriteAsync(path, "m", s_spaces, bad, Ct));

        Assert.Equal(first.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, Ct))));
        Assert.Single(Directory.EnumerateFileSystemEntries(_directory.Path));
    }

    [Fact]
    public async Task Write_Cancelled_LeavesNoFile()
    {
        var path = Path.Combine(_directory.Path, "vectors.parquet");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => VectorFileWriter.WriteAsync(path, "m", s_spaces, Rows(new Random(7), 3000), cancelled.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory.Path));
    }

    [Fact]
    public async Task Write_NoRows_ReadsBackEmptyWithItsSpaces()
    {
        var path = Path.Combine(_directory.Path, "empty.parquet");
        var summary = await VectorFileWriter.WriteAsync(path, "m", s_spaces, [], Ct);

        Assert.Equal(0, summary.Rows);
        Assert.Equal(s_spaces, await VectorFileReader.ReadSpacesAsync(path, Ct));
        await foreach (var row in VectorFileReader.ReadRowsAsync(path, Ct))
        {
            Assert.Fail($"unexpected row {row.ProductId}");
        }
    }

    [Fact]
    public async Task Read_ForeignFileWithNullList_LeavesThatVectorOutAndInfersDimensions()
    {
        // Written with Parquet.Net directly, without our metadata: row b has no vector.
        var path = Path.Combine(_directory.Path, "foreign.parquet");
        var productId = new DataField("product_id", typeof(string), isNullable: false);
        var pointId = new DataField("point_id", typeof(string), isNullable: false);
        var text = new ListField("text", new DataField<float>("element"));
        var schema = new ParquetSchema(productId, pointId, text);
        await using (var file = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, file, cancellationToken: Ct);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(productId, ["a", "b", "c"]);
            await group.WriteAsync(pointId, [PointIds.FromProductId("a").ToString(), PointIds.FromProductId("b").ToString(), PointIds.FromProductId("c").ToString()]);
            var element = schema.DataFields[2];
            await group.WriteAllPartsAsync<float>(
                element,
                new float[] { 1, 2, 3, 4 },
                new[] { 2, 2, 0, 2, 2 },
                new[] { 0, 1, 0, 0, 1 },
                Ct);
        }

        Assert.Equal([("text", 2)], await VectorFileReader.ReadSpacesAsync(path, Ct));
        var rows = new List<VectorRow>();
        await foreach (var row in VectorFileReader.ReadRowsAsync(path, Ct))
        {
            rows.Add(row);
        }

        Assert.Equal(["a", "b", "c"], rows.Select(r => r.ProductId));
        Assert.Equal([1f, 2f], rows[0].Vectors["text"]);
        Assert.Empty(rows[1].Vectors);
        Assert.Equal([3f, 4f], rows[2].Vectors["text"]);
        Assert.Equal(PointIds.FromProductId("c"), rows[2].PointId);
    }

    private static List<VectorRow> Rows(Random random, int count, (string Name, int Dimensions)[]? spaces = null) =>
        Enumerable.Range(0, count)
            .Select(i => new VectorRow(
                $"p{i}",
                PointIds.FromProductId($"p{i}"),
                (spaces ?? s_spaces).ToDictionary(s => s.Name, s => TestVectors.Random(random, s.Dimensions))))
            .ToList();
}
