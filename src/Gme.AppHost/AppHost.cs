using Gme;

// The distributed profile: RabbitMQ, PostgreSQL and Qdrant beside the three stage services.
var builder = DistributedApplication.CreateBuilder(args);

var bus = builder.AddRabbitMQ(ResourceNames.Bus).WithManagementPlugin();
var state = builder.AddPostgres("postgres").AddDatabase(ResourceNames.State);
var qdrant = builder.AddContainer(ResourceNames.Vectors, "qdrant/qdrant", "v1.15.4")
    .WithHttpEndpoint(targetPort: 6333, name: "http")
    .WithEndpoint(targetPort: 6334, name: "grpc", scheme: "http");

// The stage services share one data directory (image cache, shards, Parquet files) on this machine.
var dataDirectory = Path.Combine(builder.AppHostDirectory, "..", "..", "gme-data-distributed");

IResourceBuilder<ProjectResource> Stage<TProject>(string name)
    where TProject : IProjectMetadata, new() =>
    builder.AddProject<TProject>(name)
        .WithReference(bus).WaitFor(bus)
        .WithReference(state).WaitFor(state)
        .WithEnvironment("Gme__Profile", "Distributed")
        .WithEnvironment("Gme__DataDirectory", Path.GetFullPath(dataDirectory))
        .WithHttpHealthCheck("/health");

Stage<Projects.Gme_Ingest>(ResourceNames.Ingest);
Stage<Projects.Gme_Embedder>(ResourceNames.Embedder);
Stage<Projects.Gme_Indexer>(ResourceNames.Indexer).WithReference(qdrant.GetEndpoint("grpc"));

// The search page and API, reading the index the Indexer writes (embedded on the shared data directory, or Qdrant).
builder.AddProject<Projects.Gme_Search>(ResourceNames.Search)
    .WithReference(state).WaitFor(state)
    .WithReference(qdrant.GetEndpoint("grpc"))
    .WithEnvironment("Gme__Profile", "Distributed")
    .WithEnvironment("Gme__DataDirectory", Path.GetFullPath(dataDirectory))
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

builder.Build().Run();
