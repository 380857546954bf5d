using Gme.Core.Lexical;
using Gme.Core.Vectors;
using Gme.VectorStores.Qdrant;
using Qdrant.Client.Grpc;
using GrpcDistance = Qdrant.Client.Grpc.Distance;
using SparseVector = Gme.Core.Lexical.SparseVector;
using VectorDistance = Gme.Core.Vectors.Distance;

namespace Gme.Tests.Qdrant;

public sealed class QdrantRequestMappingTests
{
    private static readonly QdrantOptions s_options = new();

    private static readonly CollectionSpec s_spec = new(
        "products_v2",
        new Dictionary<string, VectorSpec> { ["text"] = new(1536, VectorDistance.Cosine), ["image"] = new(512, VectorDistance.Euclid) },
        ["product_type", "colour"]);

#pragma warning disable CS0612 // The deprecated flags are what the store sends, for older servers.
    [Fact]
    public void CreateCollection_SeedLayout_NamedVectorsOnDiskHnswBinaryQuantisationInRam()
    {
        var request = QdrantRequests.CreateCollection(s_spec, s_options);

        Assert.Equal("products_v2", request.CollectionName);
        Assert.Equal(VectorsConfig.ConfigOneofCase.ParamsMap, request.VectorsConfig.ConfigCase);
        var text = request.VectorsConfig.ParamsMap.Map["text"];
        Assert.Equal(1536UL, text.Size);
        Assert.Equal(GrpcDistance.Cosine, text.Distance);
        Assert.True(text.OnDisk);
        Assert.Equal(GrpcDistance.Euclid, request.VectorsConfig.ParamsMap.Map["image"].Distance);
        Assert.Equal(512UL, request.VectorsConfig.ParamsMap.Map["image"].Size);
        Assert.Equal(16UL, request.HnswConfig.M);
        Assert.Equal(128UL, request.HnswConfig.EfConstruct);
        Assert.True(request.HnswConfig.OnDisk);
        Assert.Equal(QuantizationConfig.QuantizationOneofCase.Binary, request.QuantizationConfig.QuantizationCase);
        Assert.True(request.QuantizationConfig.Binary.AlwaysRam);
        Assert.True(request.OnDiskPayload);
    }
#pragma warning restore CS0612

    [Fact]
    public void KeywordIndexes_OnePerField_KeywordTypeAndWait()
    {
        var indexes = QdrantRequests.KeywordIndexes(s_spec with { KeywordIndexes = ["product_type", "colour", "colour"] }).ToList();

        Assert.Equal(["product_type", "colour"], indexes.Select(i => i.FieldName));
        Assert.All(indexes, i => Assert.Equal(FieldType.Keyword, i.FieldType));
        Assert.All(indexes, i => Assert.True(i.Wait));
        Assert.All(indexes, i => Assert.Equal("products_v2", i.CollectionName));
    }

    [Fact]
    public void BulkLoad_DefersThenRestoresIndexingThreshold()
    {
        Assert.Equal(0UL, QdrantRequests.DeferIndexing("c").OptimizersConfig.IndexingThreshold);
        Assert.Equal(10_000UL, QdrantRequests.RestoreIndexing("c", s_options).OptimizersConfig.IndexingThreshold);
    }

    [Fact]
    public void Upsert_Points_UuidIdsNamedDenseVectorsStringAndNullPayloadWait()
    {
        var id = PointIds.FromProductId("0108775015");
        var point = new VectorPoint(
            id,
            new Dictionary<string, float[]> { ["text"] = [0.6f, 0.8f], ["image"] = [1f, 0f] },
            new Dictionary<string, string?> { ["product_id"] = "0108775015", ["colour"] = null });

        var request = QdrantRequests.Upsert("c", [point]);

        Assert.True(request.Wait);
        var grpc = Assert.Single(request.Points);
        Assert.Equal(id.ToString("D"), grpc.Id.Uuid);
        Assert.Equal([0.6f, 0.8f], grpc.Vectors.Vectors_.Vectors["text"].Dense.Data);
        Assert.Equal([1f, 0f], grpc.Vectors.Vectors_.Vectors["image"].Dense.Data);
        Assert.Equal("0108775015", grpc.Payload["product_id"].StringValue);
        Assert.Equal(Value.KindOneofCase.NullValue, grpc.Payload["colour"].KindCase);
    }

    [Fact]
    public void CreateCollection_TextSparseVectorWithIdfModifier()
    {
        var request = QdrantRequests.CreateCollection(s_spec, s_options);

        Assert.Equal(Modifier.Idf, request.SparseVectorsConfig.Map[QdrantRequests.SparseVectorName].Modifier);
        Assert.Equal("text-sparse", QdrantRequests.SparseVectorName);
    }

    [Fact]
    public void Upsert_WithEncoder_SparseVectorIsTheEncodersDocumentVector_EmptyOneLeftOut()
    {
        var payload = new Dictionary<string, string?> { ["name"] = "Lola dress", ["colour"] = "Black" };
        var point = new VectorPoint(PointIds.FromProductId("a"), new Dictionary<string, float[]> { ["text"] = [1f, 0f] }, payload);
        var empty = new VectorPoint(PointIds.FromProductId("b"), new Dictionary<string, float[]> { ["text"] = [1f, 0f] },
            new Dictionary<string, string?> { ["name"] = "" });

        var request = QdrantRequests.Upsert("c", [point, empty], LexicalEncoder.Default);

        var expected = LexicalEncoder.Default.Document(payload);
        var sparse = request.Points[0].Vectors.Vectors_.Vectors[QdrantRequests.SparseVectorName].Sparse;
        Assert.Equal(expected.Indices, sparse.Indices);
        Assert.Equal(expected.Values, sparse.Values);
        Assert.False(request.Points[1].Vectors.Vectors_.Vectors.ContainsKey(QdrantRequests.SparseVectorName));
    }

    [Fact]
    public void Lexical_SparseQueryOnTextSparseWithFilter()
    {
        var query = LexicalEncoder.Query("black dress");

        var request = QdrantRequests.Lexical("c", query, 7, new PayloadFilter([new("colour", "Black")]));

        Assert.Equal("text-sparse", request.Using);
        Assert.Equal(query.Indices, request.Query.Nearest.Sparse.Indices);
        Assert.Equal(query.Values, request.Query.Nearest.Sparse.Values);
        Assert.Equal(7UL, request.Limit);
        Assert.Equal("colour", request.Filter.Must[0].Field.Key);
    }

    [Fact]
    public void Hybrid_DensePrefetchesAndSparsePrefetch_EachFiltered_FusedByRrf()
    {
        var filter = new PayloadFilter([new("colour", "Black"), new("colour", "White"), new("product_type", "Dress")]);
        var lexical = LexicalEncoder.Query("black dress");

        var request = QdrantRequests.Hybrid("c", [("text", [0.6f, 0.8f]), ("image", [1f, 0f])], lexical, 40, 10, filter, s_options);

        Assert.Equal(Fusion.Rrf, request.Query.Fusion);
        Assert.Equal(10UL, request.Limit);
        Assert.True(request.WithPayload.Enable);
        Assert.Equal(["text", "image", "text-sparse"], request.Prefetch.Select(p => p.Using));
        Assert.All(request.Prefetch, p => Assert.Equal(40UL, p.Limit));
        Assert.All(request.Prefetch, p => Assert.Equal(QdrantRequests.Filter(filter), p.Filter));
        Assert.Equal([0.6f, 0.8f], request.Prefetch[0].Query.Nearest.Dense.Data);
        Assert.True(request.Prefetch[0].Params.Quantization.Rescore);
        Assert.Equal(lexical.Indices, request.Prefetch[2].Query.Nearest.Sparse.Indices);
    }

    [Fact]
    public void Hybrid_NoQueryTerms_DenseLegsOnly()
    {
        var request = QdrantRequests.Hybrid("c", [("text", [0.6f, 0.8f])], SparseVector.Empty, 40, 10, null, s_options);

        Assert.Equal(["text"], request.Prefetch.Select(p => p.Using));
        Assert.Null(request.Filter);
    }

    [Fact]
    public void Query_NamedVectorWithOversamplingRescoreAndPayload()
    {
        var request = QdrantRequests.Query("c", "image", [0.1f, 0.2f], 10, null, s_options);

        Assert.Equal("image", request.Using);
        Assert.Equal([0.1f, 0.2f], request.Query.Nearest.Dense.Data);
        Assert.Equal(10UL, request.Limit);
        Assert.True(request.WithPayload.Enable);
        Assert.True(request.Params.Quantization.Rescore);
        Assert.Equal(3.0, request.Params.Quantization.Oversampling);
        Assert.Equal(128UL, request.Params.HnswEf);
        Assert.Null(request.Filter);
    }

    [Fact]
    public void Query_LimitAboveEf_RaisesEf()
    {
        Assert.Equal(500UL, QdrantRequests.Query("c", "text", [1f], 500, null, s_options).Params.HnswEf);
    }

    [Fact]
    public void Filter_KeysAndedValuesOfOneKeyMatchAny()
    {
        var filter = new PayloadFilter(
        [
            KeyValuePair.Create("colour", "red"),
            KeyValuePair.Create("colour", "blue"),
            KeyValuePair.Create("product_type", "Trousers"),
        ]);

        var grpc = QdrantRequests.Filter(filter)!;

        Assert.Empty(grpc.Should);
        Assert.Equal(2, grpc.Must.Count);
        var colour = grpc.Must.Single(c => c.Field.Key == "colour").Field.Match;
        Assert.Equal(["red", "blue"], colour.Keywords.Strings);
        Assert.Equal("Trousers", grpc.Must.Single(c => c.Field.Key == "product_type").Field.Match.Keyword);
    }

    [Fact]
    public void Filter_NoneOrEmpty_IsNull()
    {
        Assert.Null(QdrantRequests.Filter(null));
        Assert.Null(QdrantRequests.Filter(new PayloadFilter([])));
    }

    [Fact]
    public void CountGetDelete_CarryCollectionIdsAndFilter()
    {
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid() };
        var count = QdrantRequests.Count("c", new PayloadFilter([KeyValuePair.Create("colour", "red")]));
        Assert.True(count.Exact);
        Assert.Equal("red", count.Filter.Must[0].Field.Match.Keyword);

        var get = QdrantRequests.Get("c", [ids[0], ids[1], ids[0]], withVectors: true);
        Assert.Equal(ids.Select(i => i.ToString("D")), get.Ids.Select(i => i.Uuid));
        Assert.True(get.WithVectors.Enable);
        Assert.True(get.WithPayload.Enable);

        var delete = QdrantRequests.Delete("c", ids);
        Assert.True(delete.Wait);
        Assert.Equal(ids.Select(i => i.ToString("D")), delete.Points.Points.Ids.Select(i => i.Uuid));
    }

    [Fact]
    public void SwitchAlias_Existing_DeletesAndCreatesInOneRequest()
    {
        var request = QdrantRequests.SwitchAlias("products", "products_v2", exists: true);

        Assert.Equal(2, request.Actions.Count);
        Assert.Equal("products", request.Actions[0].DeleteAlias.AliasName);
        Assert.Equal("products", request.Actions[1].CreateAlias.AliasName);
        Assert.Equal("products_v2", request.Actions[1].CreateAlias.CollectionName);
        Assert.Single(QdrantRequests.SwitchAlias("products", "products_v2", exists: false).Actions);
    }

    [Fact]
    public void Responses_EuclidScoreNegatedAndPayloadMapped()
    {
        var id = Guid.NewGuid();
        var hit = new global::Qdrant.Client.Grpc.ScoredPoint { Id = QdrantRequests.Id(id), Score = 5f };
        hit.Payload["product_id"] = new Value { StringValue = "p1" };
        hit.Payload["note"] = new Value { NullValue = NullValue.NullValue };

        var euclid = QdrantResponses.Hit(hit, VectorDistance.Euclid);
        Assert.Equal(id, euclid.Id);
        Assert.Equal(-5f, euclid.Score);
        Assert.Equal("p1", euclid.Payload["product_id"]);
        Assert.Null(euclid.Payload["note"]);
        Assert.Equal(5f, QdrantResponses.Hit(hit, VectorDistance.Cosine).Score);
    }

    [Fact]
    public void Responses_CollectionInfo_MapsNamedVectorsAndKeywordIndexes()
    {
        var map = new VectorParamsMap();
        map.Map["text"] = new VectorParams { Size = 384, Distance = GrpcDistance.Cosine };
        var info = new CollectionInfo
        {
            Status = CollectionStatus.Green,
            Config = new CollectionConfig { Params = new CollectionParams { VectorsConfig = new VectorsConfig { ParamsMap = map } } },
        };
        info.PayloadSchema["colour"] = new PayloadSchemaInfo { DataType = PayloadSchemaType.Keyword };
        info.PayloadSchema["price"] = new PayloadSchemaInfo { DataType = PayloadSchemaType.Float };

        var spec = QdrantResponses.Spec("c", info);

        Assert.Equal(new VectorSpec(384, VectorDistance.Cosine), spec.Vectors["text"]);
        Assert.Equal(["colour"], spec.KeywordIndexes);
    }

    [Theory]
    [InlineData("Endpoint=http://localhost:6334;Key=secret", "http://localhost:6334/", "secret")]
    [InlineData("https://q.example:6334", "https://q.example:6334/", null)]
    public void Connection_FromConnectionString_ParsesEndpointAndKey(string connectionString, string endpoint, string? key)
    {
        var connection = QdrantConnection.Resolve(new QdrantOptions(), connectionString);

        Assert.Equal(endpoint, connection.Endpoint.ToString());
        Assert.Equal(key, connection.ApiKey);
        Assert.DoesNotContain("secret", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_OptionsWinAndMissingUrlIsAClearError()
    {
        var connection = QdrantConnection.Resolve(new QdrantOptions { Url = "http://127.0.0.1:6334", ApiKey = "k" }, "Endpoint=http://other:6334");
        Assert.Equal("127.0.0.1", connection.Endpoint.Host);
        Assert.Equal("k", connection.ApiKey);

        var error = Assert.Throws<InvalidOperationException>(() => QdrantConnection.Resolve(new QdrantOptions(), null));
        Assert.Contains("Gme:Qdrant:Url", error.Message, StringComparison.Ordinal);
    }
}
