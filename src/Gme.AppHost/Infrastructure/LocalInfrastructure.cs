namespace Gme.AppHost.Infrastructure;

/// <summary>The local-services broker and database with the connection strings the stage services receive.</summary>
internal sealed record LocalInfrastructure(
    IResourceBuilder<ExecutableResource> Bus,
    string BusConnectionString,
    IResourceBuilder<ExecutableResource> State,
    string StateConnectionString);
