namespace Gme.AppHost.Infrastructure;

/// <summary>
/// What the chosen infrastructure needs on this machine, checked before anything is created or started, so that a
/// missing piece is one line naming what to install or start (and a non-zero exit), never a stack trace.
/// </summary>
public static class Prerequisites
{
    public const string RabbitMqServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    public const string PostgresRoot = "/usr/lib/postgresql";
    public static readonly string[] EpmdCandidates = ["/usr/bin/epmd", "/usr/lib/erlang/bin/epmd"];

    /// <summary>The one line for what is missing, or null when the mode can start here.</summary>
    internal static string? Missing(InfrastructureMode mode, string containerRuntime) => mode switch
    {
        InfrastructureMode.Local => MissingLocal(RabbitMqServer, EpmdCandidates, PostgresRoot),
        InfrastructureMode.Containers when !ContainerRuntimeProbe.IsHealthy(containerRuntime) =>
            $"Gme:Infrastructure=Containers needs a running container runtime, and `{containerRuntime} info` did not answer; "
            + "start Docker (or Podman, with ASPIRE_CONTAINER_RUNTIME=podman), or run with --Gme:Infrastructure=Local",
        _ => null,
    };

    /// <summary>Local services: RabbitMQ (server and epmd) and PostgreSQL (initdb and postgres) from the machine's packages.</summary>
    public static string? MissingLocal(string rabbitMqServer, IReadOnlyList<string> epmdCandidates, string postgresRoot)
    {
        var missing = new List<string>();
        if (!File.Exists(rabbitMqServer) || !epmdCandidates.Any(File.Exists))
        {
            missing.Add("RabbitMQ (rabbitmq-server)");
        }

        if (PostgresBin(postgresRoot) is null)
        {
            missing.Add("PostgreSQL (postgresql)");
        }

        return missing.Count == 0
            ? null
            : $"local services need {string.Join(" and ", missing)} installed: apt-get install rabbitmq-server postgresql "
                + "(Debian/Ubuntu), or start Docker and run with --Gme:Infrastructure=Containers";
    }

    /// <summary>The newest installed PostgreSQL's bin folder (with initdb), or null.</summary>
    public static string? PostgresBin(string postgresRoot) =>
        Directory.Exists(postgresRoot)
            ? Directory.GetDirectories(postgresRoot).Select(d => Path.Combine(d, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
}
