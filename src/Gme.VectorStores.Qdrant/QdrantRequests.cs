using Gme.Core.Lexical;
using Gme.Core.Vectors;
using Qdrant.Client.Grpc;
using GrpcDistance = Qdrant.Client.Grpc.Distance;
using VectorDistance = Gme.Core.Vectors.Distance;

namespace Gme.VectorStores.Qdrant;

/// <summary>
/// Builds the gRPC requests the store sends, as plain objects, so the mapping is tested without a server. The
/// collection layout follows the seed: named vectors, on-disk HNSW (m 16, ef_construct 128), binary quantisation kept
/// in RAM, payload on disk, keyword indexes on the filterable fields.
/// </summary>
internal static class QdrantRequests
{
    /// <summary>
    /// The BM25 leg's sparse named vector: each point's term weights from <see cref="LexicalEncoder.Document"/>, with
    /// Qdrant's IDF modifier supplying the IDF part over the collection, so scores equal the embedded store's.
    /// </summary>
    public const string SparseVectorName = "text-sparse";

    // on_disk / always_ram / on_disk_payload are deprecated in favour of "memory" placements that only Qdrant 1.17+
    // understands; the old flags work on every server, and newer ones still honour them.
#pragma warning disable CS0612 // Type or member is obsolete
    public static CreateCollection CreateCollection(CollectionSpec spec, QdrantOptions options)
    {
        var map = new VectorParamsMap();
        foreach (var (name, vector) in spec.Vectors)
        {
            map.Map[name] = new VectorParams
            {
                Size = (ulong)vector.Dimensions,
                Distance = ToGrpc(vector.Distance),
                OnDisk = true,
            };
        }

        return new CreateCollection
        {
            CollectionName = spec.Name,
            VectorsConfig = new VectorsConfig { ParamsMap = map },
            HnswConfig = new HnswConfigDiff { M = (ulong)options.HnswM, EfConstruct = (ulong)options.HnswEfConstruct, OnDisk = true },
            QuantizationConfig = new QuantizationConfig { Binary = new BinaryQuantization { AlwaysRam = true } },
            OnDiskPayload = true,
            SparseVectorsConfig = new SparseVectorConfig
            {
                Map = { [SparseVectorName] = new SparseVectorParams { Modifier = Modifier.Idf } },
            },
        };
    }
#pragma warning restore CS0612

    public static IEnumerable<CreateFieldIndexCollection> KeywordIndexes(CollectionSpec spec) =>
        spec.KeywordIndexes.Distinct(StringComparer.Ordinal).Select(field => new CreateFieldIndexCollection
        {
            CollectionName = spec.Name,
            FieldName = field,
            FieldType = FieldType.Keyword,
            Wait = true,
        });

    /// <summary>
    /// indexing_threshold 0 builds no HNSW while a bulk load streams in (building it as segments grow costs far more
    /// than once at the end); <see cref="RestoreIndexing"/> turns it back on.
    /// </summary>
    public static UpdateCollection DeferIndexing(string collection) => new()
    {
        CollectionName = collection,
        OptimizersConfig = new OptimizersConfigDiff { IndexingThreshold = 0 },
    };

    public static UpdateCollection RestoreIndexing(string collection, QdrantOptions options) => new()
    {
        CollectionName = collection,
        OptimizersConfig = new OptimizersConfigDiff { IndexingThreshold = (ulong)options.IndexingThresholdKb },
    };

    /// <summary>One upsert request; <paramref name="points"/> must already be checked against the collection.</summary>
    public static UpsertPoints Upsert(string collection, IEnumerable<VectorPoint> points, LexicalEncoder? lexical = null)
    {
        var request = new UpsertPoints { CollectionName = collection, Wait = true };
        foreach (var point in points)
        {
            var named = new NamedVectors();
            foreach (var (name, vector) in point.Vectors)
            {
                named.Vectors[name] = new Vector { Dense = new DenseVector { Data = { vector } } };
            }

            // An empty sparse vector is left out: a point without terms is not counted in the IDF's N, as in the embedded store.
            if (lexical?.Document(point.Payload) is { Count: > 0 } terms)
            {
                named.Vectors[SparseVectorName] = new Vector { Sparse = Sparse(terms) };
            }

            var grpcPoint = new PointStruct { Id = Id(point.Id), Vectors = new Vectors { Vectors_ = named } };
            foreach (var (key, value) in point.Payload)
            {
                grpcPoint.Payload[key] = value is null ? new Value { NullValue = NullValue.NullValue } : new Value { StringValue = value };
            }

            request.Points.Add(grpcPoint);
        }

        return request;
    }

    /// <summary>Nearest neighbours on one named vector, searching the binary-quantised index and rescoring with full vectors.</summary>
    public static QueryPoints Query(
        string collection,
        string vectorName,
        ReadOnlySpan<float> query,
        int limit,
        PayloadFilter? filter,
        QdrantOptions options)
    {
        var request = new QueryPoints
        {
            CollectionName = collection,
            Using = vectorName,
            Query = new Query { Nearest = new VectorInput { Dense = new DenseVector { Data = { query.ToArray() } } } },
            Limit = (ulong)limit,
            WithPayload = new WithPayloadSelector { Enable = true },
            Params = new SearchParams
            {
                HnswEf = (ulong)Math.Max(options.HnswEf, limit),
                Quantization = new QuantizationSearchParams { Rescore = true, Oversampling = options.Oversampling },
            },
        };
        if (Filter(filter) is { } grpcFilter)
        {
            request.Filter = grpcFilter;
        }

        return request;
    }

    /// <summary>The lexical leg alone: BM25 by the sparse vector (IDF applied by the server).</summary>
    public static QueryPoints Lexical(string collection, Gme.Core.Lexical.SparseVector query, int limit, PayloadFilter? filter)
    {
        var request = new QueryPoints
        {
            CollectionName = collection,
            Using = SparseVectorName,
            Query = new Query { Nearest = new VectorInput { Sparse = Sparse(query) } },
            Limit = (ulong)limit,
            WithPayload = new WithPayloadSelector { Enable = true },
        };
        if (Filter(filter) is { } grpcFilter)
        {
            request.Filter = grpcFilter;
        }

        return request;
    }

    /// <summary>
    /// A hybrid query in one request: a prefetch per dense leg and one for the sparse leg, each <c>Candidates</c> deep
    /// under the same filter, fused by the server's reciprocal rank fusion (k = 2, as <see cref="RankFusion"/>).
    /// </summary>
    public static QueryPoints Hybrid(
        string collection,
        IReadOnlyList<(string VectorName, float[] Vector)> dense,
        Gme.Core.Lexical.SparseVector lexical,
        int candidates,
        int limit,
        PayloadFilter? filter,
        QdrantOptions options,
        FusionMethod fusion = FusionMethod.Rrf)
    {
        var grpcFilter = Filter(filter);
        var request = new QueryPoints
        {
            CollectionName = collection,
            Query = new Query { Fusion = fusion == FusionMethod.Dbsf ? Fusion.Dbsf : Fusion.Rrf },
            Limit = (ulong)limit,
            WithPayload = new WithPayloadSelector { Enable = true },
        };
        foreach (var (name, vector) in dense)
        {
            var prefetch = new PrefetchQuery
            {
                Using = name,
                Query = new Query { Nearest = new VectorInput { Dense = new DenseVector { Data = { vector } } } },
                Limit = (ulong)candidates,
                Params = new SearchParams
                {
                    HnswEf = (ulong)Math.Max(options.HnswEf, candidates),
                    Quantization = new QuantizationSearchParams { Rescore = true, Oversampling = options.Oversampling },
                },
            };
            if (grpcFilter is not null)
            {
                prefetch.Filter = grpcFilter;
            }

            request.Prefetch.Add(prefetch);
        }

        if (lexical.Count > 0)
        {
            var prefetch = new PrefetchQuery
            {
                Using = SparseVectorName,
                Query = new Query { Nearest = new VectorInput { Sparse = Sparse(lexical) } },
                Limit = (ulong)candidates,
            };
            if (grpcFilter is not null)
            {
                prefetch.Filter = grpcFilter;
            }

            request.Prefetch.Add(prefetch);
        }

        if (grpcFilter is not null)
        {
            request.Filter = grpcFilter;
        }

        return request;
    }

    public static global::Qdrant.Client.Grpc.SparseVector Sparse(Gme.Core.Lexical.SparseVector vector) => new()
    {
        Indices = { vector.Indices },
        Values = { vector.Values },
    };

    /// <summary>Keys AND-ed (one must-condition per key); several values of one key become a match-any.</summary>
    public static Filter? Filter(PayloadFilter? filter)
    {
        if (filter is null || filter.MustEqual.Count == 0)
        {
            return null;
        }

        var result = new Filter();
        foreach (var group in filter.MustEqual.GroupBy(c => c.Key, StringComparer.Ordinal))
        {
            var values = group.Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
            var match = values.Count == 1
                ? new Match { Keyword = values[0] }
                : new Match { Keywords = new RepeatedStrings { Strings = { values } } };
            result.Must.Add(new Condition { Field = new FieldCondition { Key = group.Key, Match = match } });
        }

        return result;
    }

    public static CountPoints Count(string collection, PayloadFilter? filter)
    {
        var request = new CountPoints { CollectionName = collection, Exact = true };
        if (Filter(filter) is { } grpcFilter)
        {
            request.Filter = grpcFilter;
        }

        return request;
    }

    public static GetPoints Get(string collection, IEnumerable<Guid> ids, bool withVectors) => new()
    {
        CollectionName = collection,
        Ids = { ids.Distinct().Select(Id) },
        WithPayload = new WithPayloadSelector { Enable = true },
        WithVectors = new WithVectorsSelector { Enable = withVectors },
    };

    public static DeletePoints Delete(string collection, IEnumerable<Guid> ids) => new()
    {
        CollectionName = collection,
        Wait = true,
        Points = new PointsSelector { Points = new PointsIdsList { Ids = { ids.Distinct().Select(Id) } } },
    };

    /// <summary>Drop and re-create in one request, which Qdrant applies atomically: readers never see no alias.</summary>
    public static ChangeAliases SwitchAlias(string alias, string collection, bool exists)
    {
        var request = new ChangeAliases();
        if (exists)
        {
            request.Actions.Add(new AliasOperations { DeleteAlias = new DeleteAlias { AliasName = alias } });
        }

        request.Actions.Add(new AliasOperations { CreateAlias = new CreateAlias { AliasName = alias, CollectionName = collection } });
        return request;
    }

    public static PointId Id(Guid id) => new() { Uuid = id.ToString("D") };

    public static GrpcDistance ToGrpc(VectorDistance distance) => distance switch
    {
        VectorDistance.Cosine => GrpcDistance.Cosine,
        VectorDistance.Dot => GrpcDistance.Dot,
        VectorDistance.Euclid => GrpcDistance.Euclid,
        _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, "Unknown distance."),
    };
}
