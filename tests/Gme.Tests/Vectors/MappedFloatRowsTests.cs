using Gme.Core.Vectors;
using Gme.Tests.Support;
using Gme.VectorStores.Embedded;

namespace Gme.Tests.Vectors;

/// <summary>
/// The memory-mapped float rows of a collection on disk: a search reads rows through the map (and keeps the pages),
/// a one-off read (validation, the quality gate, index training) of a large column copies the row and maps nothing.
/// </summary>
public sealed class MappedFloatRowsTests : IDisposable
{
    // 1,536 floats a row, as the Gemini vectors: 6 KB, so the large column below is ~150 MB of file.
    private const int Dimensions = 1536;
    private const int Rows = MappedFloatRows.OneOffAboveRows + (4 * VectorColumn.ChunkRows);

    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void OneOffReads_OfALargeColumn_ReturnTheRowsAndMapNothing_WhileSearchReadsMapThem()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc/self/status");
        using var rows = Filled(Rows);
        var sample = Enumerable.Range(0, 400).Select(i => (int)((long)i * 7919 % Rows)).ToArray();

        var beforeOneOff = RssFileKiB();
        using (OneOffReads.Begin())
        {
            Assert.All(sample, slot => AssertRow(rows, slot));
        }

        var oneOff = RssFileKiB() - beforeOneOff;

        var beforeMapped = RssFileKiB();
        Assert.All(sample, slot => AssertRow(rows, slot));
        var mapped = RssFileKiB() - beforeMapped;

        // 400 rows of 6 KB map at least 2.4 MB (a megabyte each with large folios); the copies map none of it. Other
        // tests of the process may map a little meanwhile, hence the margin.
        Assert.True(mapped >= 2_400, $"search reads mapped {mapped} KiB");
        Assert.True(oneOff < mapped / 4, $"one-off reads mapped {oneOff} KiB, search reads {mapped} KiB");
    }

    [Fact]
    public void OneOffReads_AreScopedToTheirFlow_AndNest()
    {
        Assert.False(OneOffReads.Active);
        using (OneOffReads.Begin())
        {
            using (OneOffReads.Begin())
            {
                Assert.True(OneOffReads.Active);
            }

            Assert.True(OneOffReads.Active);
        }

        Assert.False(OneOffReads.Active);
    }

    [Fact]
    public void SmallColumn_IsReadThroughTheMapEvenForOneOffReads()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc/self/status");
        using var rows = Filled(MappedFloatRows.OneOffAboveRows);
        var before = RssFileKiB();
        using (OneOffReads.Begin())
        {
            for (var slot = 0; slot < MappedFloatRows.OneOffAboveRows; slot += 50)
            {
                AssertRow(rows, slot);
            }
        }

        Assert.True(RssFileKiB() - before >= 2_400, "a small column's rows are mapped");
    }

    private static void AssertRow(MappedFloatRows rows, int slot)
    {
        var row = rows.Row(slot);
        Assert.Equal(Dimensions, row.Length);
        Assert.Equal(Value(slot), row[0]);
        Assert.Equal(Value(slot), row[Dimensions - 1]);
    }

    private MappedFloatRows Filled(int count)
    {
        var rows = new MappedFloatRows(_scratch.Path, Dimensions);
        rows.Grow((count + VectorColumn.ChunkRows - 1) / VectorColumn.ChunkRows);
        var row = new float[Dimensions];
        for (var slot = 0; slot < count; slot++)
        {
            Array.Fill(row, Value(slot));
            rows.Set(slot, row);
        }

        return rows;
    }

    private static float Value(int slot) => slot + 0.5f;

    private static long RssFileKiB() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("RssFile:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
