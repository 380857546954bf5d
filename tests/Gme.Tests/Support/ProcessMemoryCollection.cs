namespace Gme.Tests.Support;

/// <summary>
/// Tests that measure the process's managed memory (GC.GetTotalMemory, the allocation counter) run alone: any test of
/// another class running beside them counts in the process-wide figure. Static pools make it worse, since what a
/// parallel test returns to one (the vector files' row-group arrays, up to ~96 MB) stays held: a hostile-image run
/// once "grew by 93 MB" that way.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    public const string Name = "process-wide memory";
}
