namespace Gme.Core.Sources;

/// <summary>Opens the source a run was started with.</summary>
public interface IDatasetSourceFactory
{
    IDatasetSource Open(SourceSpec spec);
}
