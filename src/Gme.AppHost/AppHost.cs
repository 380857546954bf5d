using Gme;
using Gme.AppHost;
using Gme.AppHost.Deployment;
using Gme.AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// The distributed profile: RabbitMQ, PostgreSQL and a vector store beside the three stage services. With a container
// runtime they run as containers; without one (CI, laptops without Docker) the machine's installed RabbitMQ and
// PostgreSQL run as executables and the Indexer keeps the embedded index. `Gme:Infrastructure` = Auto|Containers|Local.
// A second AppHost on this machine must not fail on the launch profile's fixed dashboard ports: Infrastructure/DashboardPorts.
DashboardPorts.MoveTakenPorts();
var builder = DistributedApplication.CreateBuilder(args);
if (builder.ExecutionContext.IsPublishMode)
{
    // The deployable description (service images, volumes, Qdrant for every service, secrets as parameters): Deployment/.
    builder.AddPublishedApp();
    builder.Build().Run();
    return;
}

var requested = builder.Configuration.GetValue("Gme:Infrastructure", InfrastructureMode.Auto);
var mode = builder.ExecutionContext.IsPublishMode
    ? InfrastructureMode.Containers // a deployment always describes the containers
    : requested == InfrastructureMode.Auto
        ? ContainerRuntimeProbe.IsHealthy(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker") ? InfrastructureMode.Containers : InfrastructureMode.Local
        : requested;

if (Prerequisites.Missing(requested == InfrastructureMode.Auto && mode == InfrastructureMode.Containers ? InfrastructureMode.Auto : mode, builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker") is { } missing)
{
    // One line and a non-zero exit before anything is created: what to install or start is all the user needs.
    await Console.Error.WriteLineAsync($"error: {missing}");
    Environment.ExitCode = 2;
    return;
}

var embedders = builder.Configuration.GetValue("Gme:EmbedderReplicas", 1);
var vectorStore = builder.Configuration["Gme:Indexer:VectorStore"] ?? "embedded";
string dataDirectory;
Action<IResourceBuilder<ProjectResource>> useInfrastructure;

if (mode == InfrastructureMode.Containers)
{
    var bus = builder.AddRabbitMQ(ResourceNames.Bus).WithManagementPlugin().WithDataVolume();
    var state = builder.AddPostgres("postgres").WithDataVolume().AddDatabase(ResourceNames.State);
    var qdrant = builder.AddQdrant(apiKey: null);
    dataDirectory = builder.Configuration["Gme:DataDirectory"] ?? Path.Combine(builder.AppHostDirectory, "..", "..", "gme-data-distributed");
    useInfrastructure = service => service
        .WithReference(bus).WaitFor(bus)
        .WithReference(state).WaitFor(state)
        .WithEnvironment("ConnectionStrings__" + ResourceNames.Vectors, QdrantContainer.ConnectionString(qdrant, apiKey: null));
}
else
{
    // One persistent folder (held while this AppHost runs) for broker and database state and the shared data directory.
    var state = LocalStateFolder.Open(builder.Configuration["Gme:LocalServices:Directory"], Path.Combine(builder.AppHostDirectory, "..", ".."));
    AppDomain.CurrentDomain.ProcessExit += (_, _) => state.Dispose();
    var folder = state.Path;
    var local = LocalServices.Add(builder, folder);
    dataDirectory = builder.Configuration["Gme:DataDirectory"] ?? Path.Combine(folder, "data");
    vectorStore = "embedded"; // no Qdrant server without containers: one Indexer keeps the embedded index
    useInfrastructure = service => service
        .WithEnvironment($"ConnectionStrings__{ResourceNames.Bus}", local.BusConnectionString).WaitFor(local.Bus)
        .WithEnvironment($"ConnectionStrings__{ResourceNames.State}", local.StateConnectionString).WaitFor(local.State);
    builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
    {
        AppHostLog.LocalServices(e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gme.AppHost"), requested.ToString(), folder);
        return Task.CompletedTask;
    });
}

dataDirectory = Path.GetFullPath(dataDirectory);

IResourceBuilder<ProjectResource> Stage<TProject>(string name)
    where TProject : IProjectMetadata, new()
{
    var service = builder.AddProject<TProject>(name)
        .WithEnvironment("Gme__Profile", "Distributed")
        .WithEnvironment("Gme__DataDirectory", dataDirectory)
        .WithEnvironment("Gme__Indexer__VectorStore", vectorStore)
        .WithHttpEndpoint()
        .WithPlainHttpOnly()
        .WithHttpHealthCheck("/health");
    useInfrastructure(service);
    return service;
}

Stage<Projects.Gme_Ingest>(ResourceNames.Ingest).WithExternalHttpEndpoints().WithStageConsumersHealth()
    .WithUrlPrinted("runs API: POST /runs, GET /runs/{id}; gme status|runs --url");
Stage<Projects.Gme_Embedder>(ResourceNames.Embedder).WithReplicas(embedders);
Stage<Projects.Gme_Indexer>(ResourceNames.Indexer);

// The search page and API, reading the index the Indexer writes (embedded on the shared data directory, or Qdrant).
var search = builder.AddProject<Projects.Gme_Search>(ResourceNames.Search)
    .WithEnvironment("Gme__Profile", "Distributed")
    .WithEnvironment("Gme__DataDirectory", dataDirectory)
    .WithEnvironment("Gme__Indexer__VectorStore", vectorStore)
    .WithHttpEndpoint()
    .WithPlainHttpOnly()
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithUrlPrinted("search page and API; gme search --url");
useInfrastructure(search);
builder.RestartCrashedServices(ResourceNames.Ingest, ResourceNames.Embedder, ResourceNames.Indexer, ResourceNames.Search);

builder.Build().Run();
