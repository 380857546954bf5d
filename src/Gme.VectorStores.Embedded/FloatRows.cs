namespace Gme.VectorStores.Embedded;

/// <summary>
/// Where a <see cref="VectorColumn"/> keeps its float rows, in chunks of <see cref="VectorColumn.ChunkRows"/> rows:
/// in managed arrays (<see cref="ManagedFloatRows"/>) or in a scratch file read through memory maps
/// (<see cref="MappedFloatRows"/>), so that only the sign-bit codes have to stay resident.
/// </summary>
internal interface IFloatRows : IDisposable
{
    /// <summary>Chunks allocated so far.</summary>
    int Chunks { get; }

    /// <summary>Adds chunks until there are <paramref name="chunks"/>.</summary>
    void Grow(int chunks);

    ReadOnlySpan<float> Row(int slot);

    void Set(int slot, ReadOnlySpan<float> vector);
}

/// <summary>Rows in managed arrays: small tables, tests and the index benchmark (no file).</summary>
internal sealed class ManagedFloatRows(int dimensions) : IFloatRows
{
    private float[][] _chunks = [];

    public int Chunks => _chunks.Length;

    public void Grow(int chunks)
    {
        var grown = new float[chunks][];
        _chunks.CopyTo(grown, 0);
        for (var i = _chunks.Length; i < chunks; i++)
        {
            grown[i] = new float[checked(VectorColumn.ChunkRows * dimensions)];
        }

        _chunks = grown;
    }

    public ReadOnlySpan<float> Row(int slot) =>
        _chunks[slot / VectorColumn.ChunkRows].AsSpan(slot % VectorColumn.ChunkRows * dimensions, dimensions);

    public void Set(int slot, ReadOnlySpan<float> vector) =>
        vector.CopyTo(_chunks[slot / VectorColumn.ChunkRows].AsSpan(slot % VectorColumn.ChunkRows * dimensions, dimensions));

    public void Dispose()
    {
        // Managed arrays: nothing to release early.
    }
}
