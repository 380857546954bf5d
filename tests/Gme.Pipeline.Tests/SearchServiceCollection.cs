namespace Gme.Pipeline.Tests;

/// <summary>The search-service test classes share one indexed catalogue and server (one `gme run` instead of two).</summary>
[CollectionDefinition(Name)]
public sealed class SearchServiceCollection : ICollectionFixture<SearchServiceFixture>
{
    public const string Name = "search-service";
}
