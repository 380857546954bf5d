namespace Gme.AppHost.Infrastructure;

/// <summary>Where RabbitMQ, PostgreSQL and the vector store come from (AppHost setting <c>Gme:Infrastructure</c>).</summary>
internal enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, local services otherwise.</summary>
    Auto,

    /// <summary>RabbitMQ, PostgreSQL and Qdrant containers (needs Docker or Podman).</summary>
    Containers,

    /// <summary>The machine's installed rabbitmq-server and postgres as executables; the embedded vector index.</summary>
    Local,
}
