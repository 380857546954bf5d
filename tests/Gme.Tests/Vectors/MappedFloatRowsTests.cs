using Gme.Tests.Support;
using Gme.VectorStores.Embedded;

namespace Gme.Tests.Vectors;

/// <summary>
/// The memory-mapped float rows of a collection on disk: pages are given back by distinct rows mapped in, not by
/// reads, so searches that keep reading the same rows never pay a release, and rows read after one are intact.
/// </summary>
public sealed class MappedFloatRowsTests : IDisposable
{
    private const int Dimensions = 8;

    // Past the size under which columns are never released (their exact scans read every row).
    private const int Rows = MappedFloatRows.ReleaseAboveRows + VectorColumn.ChunkRows;
    private const int BudgetRows = 1000;

    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Rows_ReadAgain_AreCountedOnce_AndTheBudgetOfDistinctRowsReleasesThenCountsAfresh()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "pages are released (madvise) on Linux only");
        using var rows = Filled();

        for (var pass = 0; pass < 5; pass++)
        {
            for (var slot = 0; slot < 10; slot++)
            {
                Assert.Equal(Value(slot), rows.Row(slot)[3]);
            }
        }

        Assert.Equal(10, rows.MappedRows);

        for (var slot = 10; slot < BudgetRows - 1; slot++)
        {
            _ = rows.Row(slot);
        }

        Assert.Equal(BudgetRows - 1, rows.MappedRows);
        _ = rows.Row(BudgetRows - 1); // the budget's last distinct row: released
        Assert.Equal(0, rows.MappedRows);

        // After the release every row reads back what was written, and counts as mapped again.
        for (var slot = 0; slot < Rows; slot += 97)
        {
            Assert.Equal(Value(slot), rows.Row(slot)[3]);
        }

        Assert.Equal((Rows + 96) / 97, rows.MappedRows);
    }

    [Fact]
    public void SmallColumn_IsNeverCountedOrReleased()
    {
        using var rows = new MappedFloatRows(_scratch.Path, Dimensions, budgetBytes: BudgetRows * Dimensions * sizeof(float));
        rows.Grow(MappedFloatRows.ReleaseAboveRows / VectorColumn.ChunkRows);
        for (var slot = 0; slot < MappedFloatRows.ReleaseAboveRows; slot++)
        {
            _ = rows.Row(slot);
        }

        Assert.Equal(0, rows.MappedRows);
    }

    private MappedFloatRows Filled()
    {
        var rows = new MappedFloatRows(_scratch.Path, Dimensions, budgetBytes: BudgetRows * Dimensions * sizeof(float));
        rows.Grow(Rows / VectorColumn.ChunkRows);
        var row = new float[Dimensions];
        for (var slot = 0; slot < Rows; slot++)
        {
            Array.Fill(row, Value(slot));
            rows.Set(slot, row);
        }

        return rows;
    }

    private static float Value(int slot) => slot + 0.5f;
}
