using Microsoft.Extensions.Configuration;

namespace Gme.AppHost.Deployment;

/// <summary>
/// What `--publisher manifest` (and azd) deploys. Each service is an image built from <see cref="Dockerfile"/>, because
/// only container resources carry volumes and instances in the manifest (a project.v0 entry has neither field):
/// <list type="bullet">
/// <item>RabbitMQ, PostgreSQL and Qdrant containers, each on its own volume;</item>
/// <item>every service on Qdrant (over gRPC, transport http2), so the Search service reads the index the Indexer writes;</item>
/// <item>one shared data volume at <see cref="DataDirectory"/> in every service (the stages hand images, shards and
/// Parquet files to each other through it);</item>
/// <item><c>Gme:EmbedderReplicas</c> Embedder instances (default 2), one resource each, competing for the same queues;</item>
/// <item>every secret a parameter the deployment fills in (azd stores them as secrets), never a value in the manifest;</item>
/// <item>the Ingest (runs API) and Search endpoints external, both behind the <see cref="ApiKey"/> parameter.</item>
/// </list>
/// </summary>
internal static class PublishedApp
{
    /// <summary>The service image recipe, relative to the repository root (the build context).</summary>
    public const string Dockerfile = "deploy/service.Dockerfile";

    /// <summary>The data directory inside every service's container; the <see cref="DataVolume"/> is mounted there.</summary>
    public const string DataDirectory = "/data";
    public const string DataVolume = "gme-data";

    /// <summary>The port the services listen on inside their containers.</summary>
    public const int ServicePort = 8080;

    /// <summary>Parameter names: secrets, and the embedding provider (gemini by default; local runs the bundled ONNX models).</summary>
    public const string GeminiApiKey = "gemini-api-key";
    public const string ApiKey = "gme-api-key";
    public const string QdrantApiKey = "qdrant-api-key";
    public const string Provider = "gme-provider";

    public const int DefaultEmbedders = 2;

    public static void AddPublishedApp(this IDistributedApplicationBuilder builder)
    {
        var geminiKey = builder.AddParameter(GeminiApiKey, secret: true);
        var apiKey = builder.AddParameter(ApiKey, secret: true);
        var qdrantKey = builder.AddParameter(QdrantApiKey, secret: true);
        var provider = builder.AddParameter(Provider, "gemini", publishValueAsDefault: true);

        var bus = builder.AddRabbitMQ(ResourceNames.Bus).WithManagementPlugin().WithDataVolume();
        var state = builder.AddPostgres("postgres").WithDataVolume().AddDatabase(ResourceNames.State);
        var qdrant = builder.AddQdrant(qdrantKey);
        var vectors = QdrantContainer.ConnectionString(qdrant, qdrantKey);
        var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));

        IResourceBuilder<ContainerResource> Service(string name, string project) => builder
            .AddDockerfile(name, repository, Dockerfile)
            .WithBuildArg("SERVICE", project)
            .WithHttpEndpoint(targetPort: ServicePort, env: "HTTP_PORTS")
            .WithHttpHealthCheck("/health")
            .WithVolume(DataVolume, DataDirectory)
            .WithEnvironment("Gme__Profile", "Distributed")
            .WithEnvironment("Gme__DataDirectory", DataDirectory)
            .WithEnvironment("Gme__Indexer__VectorStore", "qdrant")
            .WithEnvironment("Gme__Provider", provider)
            .WithEnvironment("GEMINI_API_KEY", geminiKey)
            .WithEnvironment("Gme__Runs__ApiKey", apiKey)
            .WithEnvironment("Gme__Search__ApiKey", apiKey)
            .WithReference(bus).WaitFor(bus)
            .WithReference(state).WaitFor(state)
            .WithEnvironment("ConnectionStrings__" + ResourceNames.Vectors, vectors).WaitFor(qdrant);

        Service(ResourceNames.Ingest, "Gme.Ingest").WithExternalHttpEndpoints();
        var embedders = builder.Configuration.GetValue("Gme:EmbedderReplicas", DefaultEmbedders);
        for (var instance = 1; instance <= embedders; instance++)
        {
            Service(EmbedderName(instance), "Gme.Embedder");
        }

        Service(ResourceNames.Indexer, "Gme.Indexer");
        Service(ResourceNames.Search, "Gme.Search").WithExternalHttpEndpoints();
    }

    /// <summary>The first Embedder keeps the resource name the local app uses; the others are numbered from 2.</summary>
    public static string EmbedderName(int instance) => instance == 1 ? ResourceNames.Embedder : $"{ResourceNames.Embedder}-{instance}";
}
