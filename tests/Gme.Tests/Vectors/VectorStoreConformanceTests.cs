using Gme.Core.Lexical;
using Gme.Core.Vectors;

using Gme.Tests.Support;

namespace Gme.Tests.Vectors;

/// <summary>
/// What every <see cref="IVectorStore"/> backend must do. A backend's test class derives from this and says how to
/// create (and clean up) a store; each test works in its own uniquely named collection.
/// </summary>
public abstract class VectorStoreConformanceTests : IAsyncLifetime
{
    protected const string Text = "text";
    protected const string Image = "image";
    protected const int TextDimensions = 16;
    protected const int ImageDimensions = 12;

    private readonly List<string> _collections = [];
    private IVectorStore? _store;

    protected IVectorStore Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public async ValueTask DisposeAsync()
    {
        await CleanupAsync(_collections);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task EnsureCollection_SameSpecTwice_IsAccepted()
    {
        var spec = NewSpec();
        await Store.EnsureCollectionAsync(spec, Ct);
        await Store.EnsureCollectionAsync(spec with { Vectors = new Dictionary<string, VectorSpec>(spec.Vectors) }, Ct);

        var stored = await Store.GetCollectionAsync(spec.Name, Ct);
        Assert.NotNull(stored);
        Assert.Equal(spec.Vectors.OrderBy(v => v.Key), stored.Vectors.OrderBy(v => v.Key));
    }

    [Fact]
    public async Task EnsureCollection_DifferentSize_IsRefusedNamingTheVector()
    {
        var spec = NewSpec();
        await Store.EnsureCollectionAsync(spec, Ct);
        var bigger = spec with
        {
            Vectors = new Dictionary<string, VectorSpec>(spec.Vectors) { [Text] = new(512, Distance.Cosine) },
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.EnsureCollectionAsync(bigger, Ct));
        Assert.Contains(Text, error.Message, StringComparison.Ordinal);
        Assert.Contains("512", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureCollection_DifferentDistance_IsRefused()
    {
        var spec = NewSpec();
        await Store.EnsureCollectionAsync(spec, Ct);
        var dot = spec with
        {
            Vectors = new Dictionary<string, VectorSpec>(spec.Vectors) { [Image] = new(ImageDimensions, Distance.Dot) },
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.EnsureCollectionAsync(dot, Ct));
    }

    [Fact]
    public async Task GetCollection_Missing_ReturnsNull()
    {
        Assert.Null(await Store.GetCollectionAsync(NewName(), Ct));
    }

    [Fact]
    public async Task Upsert_MissingCollection_Throws()
    {
        var point = Point(new Random(1), "p1", "red", "shirt");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpsertAsync(NewName(), [point], Ct));
    }

    [Fact]
    public async Task Upsert_SameIdTwice_ReplacesWithoutAddingAPoint()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(2);
        var first = Point(random, "p1", "red", "shirt");
        var second = Point(random, "p1", "blue", "shoe");
        await Store.UpsertAsync(spec.Name, [first, Point(random, "p2", "red", "shirt")], Ct);
        await Store.UpsertAsync(spec.Name, [second], Ct);

        Assert.Equal(2, await Store.CountAsync(spec.Name, cancellationToken: Ct));
        var stored = Assert.Single(await Store.RetrieveAsync(spec.Name, [second.Id], withVectors: true, Ct));
        Assert.Equal("blue", stored.Payload["colour"]);
        AssertVectorEqual(TestVectors.Normalized(second.Vectors[Text]), stored.Vectors[Text]);

        var hit = (await Store.SearchAsync(spec.Name, Text, second.Vectors[Text], 1, cancellationToken: Ct))[0];
        Assert.Equal(second.Id, hit.Id);
        Assert.Equal(1f, hit.Score, 3);
    }

    [Fact]
    public async Task Upsert_WrongDimension_IsRefusedNamingPointAndVector()
    {
        var spec = await CreateCollectionAsync();
        var point = Point(new Random(3), "p1", "red", "shirt");
        var wrong = point with
        {
            Vectors = new Dictionary<string, float[]>(point.Vectors) { [Image] = new float[ImageDimensions + 1] },
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.UpsertAsync(spec.Name, [wrong], Ct));
        Assert.Contains(Image, error.Message, StringComparison.Ordinal);
        Assert.Contains(point.Id.ToString(), error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await Store.CountAsync(spec.Name, cancellationToken: Ct));
    }

    [Fact]
    public async Task Upsert_MissingNamedVector_IsRefused()
    {
        var spec = await CreateCollectionAsync();
        var point = Point(new Random(4), "p1", "red", "shirt");
        var textOnly = point with { Vectors = new Dictionary<string, float[]> { [Text] = point.Vectors[Text] } };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.UpsertAsync(spec.Name, [textOnly], Ct));
        Assert.Contains(Image, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_PlantedNearest_ComesFirstWithScoresDescending()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(5);
        var points = Enumerable.Range(0, 200).Select(i => Point(random, $"p{i}", "red", "shirt")).ToList();
        await Store.UpsertAsync(spec.Name, points, Ct);
        var planted = points[137];
        var query = TestVectors.Near(random, planted.Vectors[Text]);

        var hits = await Store.SearchAsync(spec.Name, Text, query, 10, cancellationToken: Ct);

        Assert.Equal(10, hits.Count);
        Assert.Equal(planted.Id, hits[0].Id);
        Assert.InRange(hits[0].Score, 0.99f, 1.0001f);
        Assert.Equal(hits.OrderByDescending(h => h.Score).Select(h => h.Id), hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.InRange(h.Score, -1.0001f, 1.0001f));
        Assert.Equal("p137", hits[0].Payload["product_id"]);
    }

    [Fact]
    public async Task Search_ExactOpposite_ScoresMinusOne()
    {
        var spec = await CreateCollectionAsync();
        var point = Point(new Random(6), "p1", "red", "shirt");
        await Store.UpsertAsync(spec.Name, [point], Ct);

        var hit = Assert.Single(await Store.SearchAsync(spec.Name, Text, TestVectors.Negated(point.Vectors[Text]), 5, cancellationToken: Ct));
        Assert.Equal(-1f, hit.Score, 3);
    }

    [Fact]
    public async Task Search_FilterOnOneKey_ReturnsOnlyMatches()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();
        var hits = await SearchAllAsync(spec, Filter(("colour", "red")));

        Assert.Equal(points.Count(p => p.Payload["colour"] == "red"), hits.Count);
        Assert.All(hits, h => Assert.Equal("red", h.Payload["colour"]));
    }

    [Fact]
    public async Task Search_FilterOnTwoKeys_AndsThem()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();
        var hits = await SearchAllAsync(spec, Filter(("colour", "red"), ("type", "shoe")));

        Assert.Equal(points.Count(p => p.Payload["colour"] == "red" && p.Payload["type"] == "shoe"), hits.Count);
        Assert.All(hits, h => Assert.True(h.Payload["colour"] == "red" && h.Payload["type"] == "shoe"));
    }

    [Fact]
    public async Task Search_FilterWithTwoValuesOfOneKey_OrsThem()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();
        var hits = await SearchAllAsync(spec, Filter(("colour", "red"), ("colour", "blue")));

        Assert.Equal(points.Count(p => p.Payload["colour"] is "red" or "blue"), hits.Count);
        Assert.Contains(hits, h => h.Payload["colour"] == "red");
        Assert.Contains(hits, h => h.Payload["colour"] == "blue");
        Assert.DoesNotContain(hits, h => h.Payload["colour"] == "green");
    }

    [Fact]
    public async Task Search_FilterOnUnknownValue_ReturnsNothing()
    {
        var (spec, _) = await CreatePopulatedCollectionAsync();
        Assert.Empty(await SearchAllAsync(spec, Filter(("colour", "purple"))));
        Assert.Empty(await SearchAllAsync(spec, Filter(("no_such_key", "red"))));
    }

    [Fact]
    public async Task Search_SelectiveFilter_ReturnsLimitMatchesBeyondTheUnfilteredTop()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(7);
        var query = TestVectors.Random(random, TextDimensions);

        // Every red point is nearer the query than any blue one, so the unfiltered top 10 holds no blue at all.
        var red = Enumerable.Range(0, 100).Select(i => Point(random, $"r{i}", "red", "shirt", text: TestVectors.Near(random, query, 0.2f)));
        var blue = Enumerable.Range(0, 15).Select(i => Point(random, $"b{i}", "blue", "shirt", text: TestVectors.Negated(TestVectors.Near(random, query, 0.2f))));
        await Store.UpsertAsync(spec.Name, [.. red, .. blue], Ct);

        var unfiltered = await Store.SearchAsync(spec.Name, Text, query, 10, cancellationToken: Ct);
        Assert.DoesNotContain(unfiltered, h => h.Payload["colour"] == "blue");

        var filtered = await Store.SearchAsync(spec.Name, Text, query, 10, Filter(("colour", "blue")), Ct);
        Assert.Equal(10, filtered.Count);
        Assert.All(filtered, h => Assert.Equal("blue", h.Payload["colour"]));
    }

    [Fact]
    public async Task Count_WithAndWithoutFilter_CountsMatches()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();

        Assert.Equal(points.Count, await Store.CountAsync(spec.Name, cancellationToken: Ct));
        Assert.Equal(points.Count(p => p.Payload["type"] == "shoe"), await Store.CountAsync(spec.Name, Filter(("type", "shoe")), Ct));
        Assert.Equal(
            points.Count(p => p.Payload["colour"] is "red" or "green" && p.Payload["type"] == "shirt"),
            await Store.CountAsync(spec.Name, Filter(("colour", "red"), ("colour", "green"), ("type", "shirt")), Ct));
    }

    [Fact]
    public async Task Retrieve_WithVectors_ReturnsPayloadAndNormalisedVectors()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();
        var wanted = points[3];

        var found = Assert.Single(await Store.RetrieveAsync(spec.Name, [wanted.Id, Guid.NewGuid()], withVectors: true, Ct));

        Assert.Equal(wanted.Id, found.Id);
        Assert.Equal(wanted.Payload.OrderBy(p => p.Key), found.Payload.OrderBy(p => p.Key));
        AssertVectorEqual(TestVectors.Normalized(wanted.Vectors[Text]), found.Vectors[Text]);
        AssertVectorEqual(TestVectors.Normalized(wanted.Vectors[Image]), found.Vectors[Image]);
    }

    [Fact]
    public async Task Retrieve_WithoutVectors_ReturnsPayloadOnly()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();

        var found = await Store.RetrieveAsync(spec.Name, [points[0].Id, points[1].Id], withVectors: false, Ct);

        Assert.Equal(new[] { points[0].Id, points[1].Id }.Order(), found.Select(p => p.Id).Order());
        Assert.All(found, p => Assert.Empty(p.Vectors));
        Assert.All(found, p => Assert.NotEmpty(p.Payload));
    }

    [Fact]
    public async Task Retrieve_ReturnedVectors_AreCopies()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();
        var first = Assert.Single(await Store.RetrieveAsync(spec.Name, [points[0].Id], withVectors: true, Ct));
        var original = first.Vectors[Text].ToArray();
        first.Vectors[Text][0] = 42f;

        var again = Assert.Single(await Store.RetrieveAsync(spec.Name, [points[0].Id], withVectors: true, Ct));
        AssertVectorEqual(original, again.Vectors[Text]);
    }

    [Fact]
    public async Task Delete_RemovesFromCountSearchAndRetrieve()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();
        var gone = points[5];

        await Store.DeleteAsync(spec.Name, [gone.Id, Guid.NewGuid()], Ct);

        Assert.Equal(points.Count - 1, await Store.CountAsync(spec.Name, cancellationToken: Ct));
        Assert.Empty(await Store.RetrieveAsync(spec.Name, [gone.Id], withVectors: false, Ct));
        var hits = await Store.SearchAsync(spec.Name, Text, gone.Vectors[Text], 5, cancellationToken: Ct);
        Assert.DoesNotContain(hits, h => h.Id == gone.Id);
    }

    [Fact]
    public async Task Delete_ThenUpsertAgain_RestoresThePoint()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();
        await Store.DeleteAsync(spec.Name, [points[0].Id], Ct);
        await Store.UpsertAsync(spec.Name, [points[0]], Ct);

        Assert.Equal(points.Count, await Store.CountAsync(spec.Name, cancellationToken: Ct));
        var hit = (await Store.SearchAsync(spec.Name, Text, points[0].Vectors[Text], 1, cancellationToken: Ct))[0];
        Assert.Equal(points[0].Id, hit.Id);
    }

    [Fact]
    public async Task Search_WrongQuerySize_IsRefused()
    {
        var (spec, _) = await CreatePopulatedCollectionAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SearchAsync(spec.Name, Text, new float[TextDimensions - 1], 5, cancellationToken: Ct));
    }

    [Fact]
    public async Task Search_DotAndEuclid_ScoreAsDefined()
    {
        var name = NewName();
        var spec = new CollectionSpec(
            name,
            new Dictionary<string, VectorSpec> { ["d"] = new(2, Distance.Dot), ["e"] = new(2, Distance.Euclid) },
            []);
        await Store.EnsureCollectionAsync(spec, Ct);
        var near = new VectorPoint(Guid.NewGuid(), new Dictionary<string, float[]> { ["d"] = [1f, 2f], ["e"] = [1f, 1f] }, Payload("near"));
        var far = new VectorPoint(Guid.NewGuid(), new Dictionary<string, float[]> { ["d"] = [3f, 4f], ["e"] = [4f, 5f] }, Payload("far"));
        await Store.UpsertAsync(name, [near, far], Ct);

        var byDot = await Store.SearchAsync(name, "d", new float[] { 1f, 1f }, 2, cancellationToken: Ct);
        Assert.Equal([far.Id, near.Id], byDot.Select(h => h.Id));
        Assert.Equal(7f, byDot[0].Score, 3);
        Assert.Equal(3f, byDot[1].Score, 3);

        var byDistance = await Store.SearchAsync(name, "e", new float[] { 1f, 1f }, 2, cancellationToken: Ct);
        Assert.Equal([near.Id, far.Id], byDistance.Select(h => h.Id));
        Assert.Equal(0f, byDistance[0].Score, 3);
        Assert.Equal(-5f, byDistance[1].Score, 3);
    }

    [Fact]
    public async Task FusedSearch_PointTopOnBothVectors_ComesFirst()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(8);
        var textQuery = TestVectors.Random(random, TextDimensions);
        var imageQuery = TestVectors.Random(random, ImageDimensions);
        var points = Enumerable.Range(0, 80).Select(i => Point(random, $"p{i}", "red", "shirt")).ToList();

        // "both" is second nearest on each vector; each of the two others is nearest on one vector and far on the other.
        points.Add(Point(random, "both", "red", "shirt", TestVectors.Near(random, textQuery, 0.05f), TestVectors.Near(random, imageQuery, 0.05f)));
        points.Add(Point(random, "textonly", "red", "shirt", TestVectors.Near(random, textQuery, 0.001f), TestVectors.Negated(imageQuery)));
        points.Add(Point(random, "imageonly", "red", "shirt", TestVectors.Negated(textQuery), TestVectors.Near(random, imageQuery, 0.001f)));
        await Store.UpsertAsync(spec.Name, points, Ct);

        var fused = await FusedSearch.SearchAsync(Store, spec.Name, [(Text, textQuery), (Image, imageQuery)], 5, null, Ct);

        Assert.Equal(5, fused.Count);
        Assert.Equal("both", fused[0].Payload["product_id"]);
        Assert.Equal((float)((1.0 / 62) + (1.0 / 62)), fused[0].Score, 5);
        Assert.Equal(fused.OrderByDescending(h => h.Score).Select(h => h.Id), fused.Select(h => h.Id));
    }

    [Fact]
    public async Task FusedSearch_WithFilter_ReturnsOnlyMatches()
    {
        var (spec, points) = await CreatePopulatedCollectionAsync();
        var random = new Random(9);

        var fused = await FusedSearch.SearchAsync(
            Store,
            spec.Name,
            [(Text, TestVectors.Random(random, TextDimensions)), (Image, TestVectors.Random(random, ImageDimensions))],
            7,
            Filter(("type", "shoe")),
            Ct);

        Assert.Equal(Math.Min(7, points.Count(p => p.Payload["type"] == "shoe")), fused.Count);
        Assert.All(fused, h => Assert.Equal("shoe", h.Payload["type"]));
    }

    [Fact]
    public async Task Alias_BuildValidateSwitchAndRollBack_ReadersFollowTheAlias()
    {
        var alias = NewName();
        var random = new Random(12);
        var v1 = await CreateCollectionAsync();
        var old = Enumerable.Range(0, 20).Select(i => Point(random, $"p{i}", "red", "shirt")).ToList();
        await Store.UpsertAsync(v1.Name, old, Ct);
        await Store.SetAliasAsync(alias, v1.Name, Ct);
        Assert.Equal(v1.Name, await Store.GetAliasTargetAsync(alias, Ct));

        // Build the next version beside it; readers of the alias still see v1 while it fills.
        var v2 = await CreateCollectionAsync();
        var fresh = Enumerable.Range(0, 30).Select(i => Point(random, $"p{i}", "blue", "shoe")).ToList();
        await Store.UpsertAsync(v2.Name, fresh, Ct);
        Assert.Equal(old.Count, await Store.CountAsync(alias, cancellationToken: Ct));

        // Validate v2 on its own name: every point finds itself first.
        Assert.Equal(fresh.Count, await Store.CountAsync(v2.Name, cancellationToken: Ct));
        foreach (var point in fresh.Take(5))
        {
            Assert.Equal(point.Id, (await Store.SearchAsync(v2.Name, Text, point.Vectors[Text], 1, cancellationToken: Ct))[0].Id);
        }

        await Store.SetAliasAsync(alias, v2.Name, Ct);
        Assert.Equal(v2.Name, await Store.GetAliasTargetAsync(alias, Ct));
        Assert.Equal(fresh.Count, await Store.CountAsync(alias, cancellationToken: Ct));
        var hit = (await Store.SearchAsync(alias, Text, fresh[7].Vectors[Text], 1, Filter(("colour", "blue")), Ct))[0];
        Assert.Equal(fresh[7].Id, hit.Id);
        Assert.Equal("blue", Assert.Single(await Store.RetrieveAsync(alias, [fresh[7].Id], withVectors: false, Ct)).Payload["colour"]);
        Assert.NotNull(await Store.GetCollectionAsync(alias, Ct));

        // Roll back: the alias points at v1 again and its points are untouched.
        await Store.SetAliasAsync(alias, v1.Name, Ct);
        Assert.Equal(old.Count, await Store.CountAsync(alias, cancellationToken: Ct));
        Assert.Equal("red", Assert.Single(await Store.RetrieveAsync(alias, [old[3].Id], withVectors: false, Ct)).Payload["colour"]);
    }

    [Fact]
    public async Task Alias_SwitchDuringRebuild_ReadersOfTheAliasAlwaysGetResults()
    {
        // Index versions (issue 13): searches on the alias go on while the next version fills and through the switch.
        var alias = NewName();
        var random = new Random(15);
        var v1 = await CreateCollectionAsync();
        await Store.UpsertAsync(v1.Name, Enumerable.Range(0, 20).Select(i => Point(random, $"p{i}", "red", "shirt")).ToList(), Ct);
        await Store.SetAliasAsync(alias, v1.Name, Ct);
        var v2 = await CreateCollectionAsync();
        var query = Point(random, "q", "red", "shirt").Vectors[Text];
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        var empty = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var hits = await Store.SearchAsync(alias, Text, query, 5, cancellationToken: Ct);
                if (hits.Count == 0)
                {
                    Interlocked.Increment(ref empty);
                }
                else
                {
                    seen.Add(hits[0].Payload["colour"]!);
                }
            }
        }, Ct);

        for (var batch = 0; batch < 5; batch++)
        {
            await Store.UpsertAsync(v2.Name, Enumerable.Range(batch * 10, 10).Select(i => Point(random, $"p{i}", "blue", "shoe")).ToList(), Ct);
        }

        await Eventually.TrueAsync(() => Task.FromResult(seen.Count >= 3), "readers to search the alias during the build", TimeSpan.FromSeconds(30), Ct);
        await Store.SetAliasAsync(alias, v2.Name, Ct);
        var afterSwitch = seen.Count;
        await Eventually.TrueAsync(() => Task.FromResult(seen.Count >= afterSwitch + 3), "readers to search the alias after the switch",
            TimeSpan.FromSeconds(30), Ct);
        await stop.CancelAsync();
        await reader;

        Assert.Equal(0, empty);
        Assert.Contains("red", seen);
        Assert.Contains("blue", seen);
        Assert.Equal(50, await Store.CountAsync(alias, cancellationToken: Ct));
    }

    [Fact]
    public async Task Alias_WritesThroughTheAlias_ReachTheTarget()
    {
        var alias = NewName();
        var spec = await CreateCollectionAsync();
        await Store.SetAliasAsync(alias, spec.Name, Ct);
        var point = Point(new Random(13), "p1", "red", "shirt");

        await Store.UpsertAsync(alias, [point], Ct);

        Assert.Equal(1, await Store.CountAsync(spec.Name, cancellationToken: Ct));
    }

    [Fact]
    public async Task Alias_MissingAliasOrCollection_IsNullOrRefused()
    {
        Assert.Null(await Store.GetAliasTargetAsync(NewName(), Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => Store.SetAliasAsync(NewName(), NewName(), Ct));
    }

    [Fact]
    public async Task DeleteCollection_OldVersion_IsGoneAndTheCurrentStays()
    {
        var alias = NewName();
        var old = await CreateCollectionAsync();
        var current = await CreateCollectionAsync();
        await Store.UpsertAsync(current.Name, [Point(new Random(14), "p1", "red", "shirt")], Ct);
        await Store.SetAliasAsync(alias, current.Name, Ct);

        await Store.DeleteCollectionAsync(old.Name, Ct);
        await Store.DeleteCollectionAsync(NewName(), Ct);

        Assert.Null(await Store.GetCollectionAsync(old.Name, Ct));
        Assert.Equal(1, await Store.CountAsync(alias, cancellationToken: Ct));
    }

    [Fact]
    public async Task SearchLexical_BothWordsRankAboveOne_NeitherIsNotReturned()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(21);
        await Store.UpsertAsync(spec.Name,
        [
            Named(random, "both", "Red dress", "Dress", "Red"),
            Named(random, "colour-only", "Red shirt", "Shirt", "Red"),
            Named(random, "type-only", "Blue dress", "Dress", "Blue"),
            Named(random, "neither", "Green trousers", "Trousers", "Green"),
            Named(random, "other", "Black skirt", "Skirt", "Black"),
        ], Ct);

        var hits = await Store.SearchLexicalAsync(spec.Name, LexicalEncoder.Query("red dresses"), 10, cancellationToken: Ct);

        Assert.Equal("both", hits[0].Payload["product_id"]);
        Assert.Equal(["both", "colour-only", "type-only"], hits.Select(h => h.Payload["product_id"]!).Order(StringComparer.Ordinal));
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public async Task SearchLexical_ReUpsertReplacesTheWords_DeleteDropsThem()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(22);
        var first = Named(random, "p1", "Red dress", "Dress", "Red");
        await Store.UpsertAsync(spec.Name, [first, Named(random, "p2", "Blue shirt", "Shirt", "Blue")], Ct);
        var before = await Store.SearchLexicalAsync(spec.Name, LexicalEncoder.Query("shirt"), 10, cancellationToken: Ct);
        await Store.UpsertAsync(spec.Name, [first], Ct);
        var again = await Store.SearchLexicalAsync(spec.Name, LexicalEncoder.Query("shirt"), 10, cancellationToken: Ct);
        Assert.Equal(before.Select(h => (h.Id, h.Score)), again.Select(h => (h.Id, h.Score)));

        await Store.UpsertAsync(spec.Name, [Named(random, "p1", "Green trousers", "Trousers", "Green")], Ct);
        Assert.Empty(await Store.SearchLexicalAsync(spec.Name, LexicalEncoder.Query("red dress"), 10, cancellationToken: Ct));
        Assert.Single(await Store.SearchLexicalAsync(spec.Name, LexicalEncoder.Query("trousers"), 10, cancellationToken: Ct));

        await Store.DeleteAsync(spec.Name, [first.Id], Ct);
        Assert.Empty(await Store.SearchLexicalAsync(spec.Name, LexicalEncoder.Query("trousers"), 10, cancellationToken: Ct));
    }

    [Fact]
    public async Task SearchLexical_Filter_AppliesToTheLexicalLeg()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(23);
        await Store.UpsertAsync(spec.Name,
        [
            Named(random, "red", "Red dress", "Dress", "Red"),
            Named(random, "blue", "Blue dress", "Dress", "Blue"),
        ], Ct);

        var hits = await Store.SearchLexicalAsync(spec.Name, LexicalEncoder.Query("dress"), 10, Filter(("colour", "Blue")), Ct);

        Assert.Equal(["blue"], hits.Select(h => h.Payload["product_id"]));
    }

    [Fact]
    public async Task SearchHybrid_SameIdsAsBothLegsFused_RrfAndDbsf_FilterOnEveryLeg()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(24);
        string[] colours = ["Red", "Blue", "Green"];
        string[] types = ["Dress", "Shirt", "Trousers", "Skirt"];
        var points = Enumerable.Range(0, 40)
            .Select(i => Named(random, $"p{i}", $"{colours[i % 3]} {types[i % 4]}", types[i % 4], colours[i % 3]))
            .ToList();
        await Store.UpsertAsync(spec.Name, points, Ct);
        foreach (var (fusion, filter) in new (FusionMethod, PayloadFilter?)[]
        {
            (FusionMethod.Rrf, null), (FusionMethod.Rrf, Filter(("colour", "Blue"))),
            (FusionMethod.Dbsf, null), (FusionMethod.Dbsf, Filter(("colour", "Blue"))),
        })
        {
            var query = new HybridQuery([(Text, points[7].Vectors[Text])], LexicalEncoder.Query("blue dress"), 20) { Fusion = fusion };
            var dense = await Store.SearchAsync(spec.Name, Text, points[7].Vectors[Text], 20, filter, Ct);
            var lexical = await Store.SearchLexicalAsync(spec.Name, query.Lexical, 20, filter, Ct);
            IReadOnlyList<(RetrievalLegs, IReadOnlyList<ScoredPoint>)> legs = [(RetrievalLegs.Dense, dense), (RetrievalLegs.Lexical, lexical)];
            var expected = fusion == FusionMethod.Rrf ? RankFusion.Rrf(legs, 10) : RankFusion.Dbsf(legs, 10);

            var hybrid = await Store.SearchHybridAsync(spec.Name, query, 10, filter, Ct);

            Assert.Equal(expected.Select(h => h.Point.Id), hybrid.Select(h => h.Point.Id));
            Assert.Equal(expected.Select(h => h.Point.Score), hybrid.Select(h => h.Point.Score), (x, y) => Math.Abs(x - y) < 1e-5);
            if (filter is not null)
            {
                Assert.All(hybrid, h => Assert.Equal("Blue", h.Point.Payload["colour"]));
            }
        }
    }

    /// <summary>A point with the text fields the lexical leg reads.</summary>
    protected static VectorPoint Named(Random random, string productId, string name, string productType, string colour) =>
        new(
            PointIds.FromProductId(productId),
            new Dictionary<string, float[]>
            {
                [Text] = TestVectors.Random(random, TextDimensions),
                [Image] = TestVectors.Random(random, ImageDimensions),
            },
            new Dictionary<string, string?>
            {
                ["product_id"] = productId,
                ["name"] = name,
                ["product_type"] = productType,
                ["colour"] = colour,
                ["description"] = $"A {colour.ToLowerInvariant()} {productType.ToLowerInvariant()}.",
            });

    /// <summary>Creates the backend under test.</summary>
    protected abstract Task<IVectorStore> CreateStoreAsync();

    /// <summary>Removes what the tests created; <paramref name="collections"/> lists every collection name used.</summary>
    protected virtual Task CleanupAsync(IReadOnlyList<string> collections) => Task.CompletedTask;

    protected string NewName()
    {
        var name = $"conformance_{Guid.NewGuid():N}"[..24];
        _collections.Add(name);
        return name;
    }

    protected CollectionSpec NewSpec() => new(
        NewName(),
        new Dictionary<string, VectorSpec>
        {
            [Text] = new(TextDimensions, Distance.Cosine),
            [Image] = new(ImageDimensions, Distance.Cosine),
        },
        ["colour", "type"]);

    protected async Task<CollectionSpec> CreateCollectionAsync()
    {
        var spec = NewSpec();
        await Store.EnsureCollectionAsync(spec, Ct);
        return spec;
    }

    /// <summary>60 points: colours red/blue/green and types shirt/shoe in a fixed pattern.</summary>
    protected async Task<(CollectionSpec Spec, List<VectorPoint> Points)> CreatePopulatedCollectionAsync()
    {
        var spec = await CreateCollectionAsync();
        var random = new Random(10);
        string[] colours = ["red", "blue", "green"];
        var points = Enumerable.Range(0, 60)
            .Select(i => Point(random, $"p{i}", colours[i % 3], i % 4 == 0 ? "shoe" : "shirt"))
            .ToList();
        await Store.UpsertAsync(spec.Name, points, Ct);
        return (spec, points);
    }

    protected static VectorPoint Point(Random random, string productId, string colour, string type, float[]? text = null, float[]? image = null) =>
        new(
            PointIds.FromProductId(productId),
            new Dictionary<string, float[]>
            {
                [Text] = text ?? TestVectors.Random(random, TextDimensions),
                [Image] = image ?? TestVectors.Random(random, ImageDimensions),
            },
            new Dictionary<string, string?> { ["product_id"] = productId, ["colour"] = colour, ["type"] = type, ["note"] = null });

    protected static PayloadFilter Filter(params (string Key, string Value)[] conditions) =>
        new(conditions.Select(c => KeyValuePair.Create(c.Key, c.Value)).ToList());

    protected static void AssertVectorEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 4);
        }
    }

    private static Dictionary<string, string?> Payload(string productId) => new() { ["product_id"] = productId };

    private Task<IReadOnlyList<ScoredPoint>> SearchAllAsync(CollectionSpec spec, PayloadFilter filter) =>
        Store.SearchAsync(spec.Name, Text, TestVectors.Random(new Random(11), TextDimensions), 1000, filter, Ct);
}
