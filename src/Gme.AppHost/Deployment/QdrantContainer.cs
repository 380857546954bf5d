namespace Gme.AppHost.Deployment;

/// <summary>
/// The Qdrant server as a plain container resource (no Qdrant hosting package is used): REST on 6333, gRPC on 6334
/// with transport http2 (the client speaks gRPC, which a platform's ingress must carry as HTTP/2), storage on a volume.
/// </summary>
internal static class QdrantContainer
{
    public const string Image = "qdrant/qdrant";
    public const string Tag = "v1.15.4";
    public const string StorageVolume = "gme-qdrant-data";
    public const string GrpcEndpoint = "grpc";

    public static IResourceBuilder<ContainerResource> AddQdrant(this IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource>? apiKey)
    {
        var qdrant = builder.AddContainer(ResourceNames.Vectors, Image, Tag)
            .WithHttpEndpoint(targetPort: 6333, name: "http")
            .WithEndpoint(targetPort: 6334, name: GrpcEndpoint, scheme: "http")
            .WithEndpoint(GrpcEndpoint, endpoint => endpoint.Transport = "http2")
            .WithVolume(StorageVolume, "/qdrant/storage");
        return apiKey is null ? qdrant : qdrant.WithEnvironment("QDRANT__SERVICE__API_KEY", apiKey);
    }

    /// <summary>What the services read as <c>ConnectionStrings:gme-vectors</c> (see QdrantConnection): the gRPC address and the key.</summary>
    public static ReferenceExpression ConnectionString(IResourceBuilder<ContainerResource> qdrant, IResourceBuilder<ParameterResource>? apiKey) =>
        apiKey is null
            ? ReferenceExpression.Create($"Endpoint={qdrant.GetEndpoint(GrpcEndpoint)}")
            : ReferenceExpression.Create($"Endpoint={qdrant.GetEndpoint(GrpcEndpoint)};Key={apiKey.Resource}");
}
