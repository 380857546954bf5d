using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gme.AppHost.Infrastructure;

/// <summary>
/// RabbitMQ and PostgreSQL from the machine's own packages (Debian: rabbitmq-server, postgresql) as executable
/// resources, for machines without a container runtime. Everything lives under one per-run folder on free loopback
/// ports, so several app instances never share state, and each server has a real readiness check (an AMQP connect,
/// <c>SELECT 1</c>) because a WaitFor on a process only waits for it to start.
/// </summary>
internal static class LocalServices
{
    private const string RabbitMqServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    // Servers refuse to run as root (postgres) or expect their own user (rabbitmq); setpriv execs in place, so the
    // signals DCP sends on stop reach the server itself.
    private static readonly bool s_isRoot = Environment.UserName == "root";

    public static LocalInfrastructure Add(IDistributedApplicationBuilder builder, string folder)
    {
        var rabbitFolder = Path.Combine(folder, "rabbitmq");
        var pgFolder = Path.Combine(folder, "postgres");
        Directory.CreateDirectory(rabbitFolder);
        Directory.CreateDirectory(pgFolder);

        var (bus, busConnection) = AddRabbitMq(builder, rabbitFolder);
        var (state, stateConnection) = AddPostgres(builder, pgFolder);
        return new LocalInfrastructure(bus, busConnection, state, stateConnection);
    }

    private static (IResourceBuilder<ExecutableResource>, string) AddRabbitMq(IDistributedApplicationBuilder builder, string folder)
    {
        var epmd = FindFirst("epmd", "/usr/bin/epmd", "/usr/lib/erlang/bin/epmd");
        if (!File.Exists(RabbitMqServer) || epmd is null)
        {
            throw new InvalidOperationException(
                $"Local services need RabbitMQ ({RabbitMqServer} and epmd); install it (Debian: apt-get install rabbitmq-server) or run with a container runtime.");
        }

        Own(folder, "rabbitmq");
        var amqpPort = FreePort.Next();
        var distPort = FreePort.Next();
        var epmdPort = FreePort.Next();

        // Our own epmd in the foreground, so it stops with the app instead of lingering as a daemon.
        // As root the servers run as their Debian users with the packaged Erlang cookie; otherwise as the current
        // user, with the cookie written under the run's own folder.
        var home = s_isRoot ? "/var/lib/rabbitmq" : folder;
        var portMapper = AddAs(builder, "gme-bus-epmd", "rabbitmq", home, epmd,
            "-port", epmdPort.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1");

        var server = AddAs(builder, ResourceNames.Bus, "rabbitmq", home, RabbitMqServer)
            .WithEnvironment("HOME", home)
            // A fixed node name keeps one Mnesia folder (queues, messages) across restarts in the persistent folder;
            // the AppHost's own epmd on a free port keeps it from clashing with another AppHost's node.
            .WithEnvironment("RABBITMQ_NODENAME", "gme@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", amqpPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_DIST_PORT", distPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("ERL_EPMD_PORT", epmdPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(folder, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(folder, "log"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(folder, "enabled_plugins"))
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .WaitFor(portMapper);

        // guest/guest is accepted from loopback only, which is all this mode listens on.
        var uri = new Uri($"amqp://guest:guest@127.0.0.1:{amqpPort}/");
        var check = $"{ResourceNames.Bus}-amqp";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(check, _ => new AmqpHealthCheck(uri), null, null));
        return (server.WithHealthCheck(check), uri.ToString());
    }

    private static (IResourceBuilder<ExecutableResource>, string) AddPostgres(IDistributedApplicationBuilder builder, string folder)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(Directory.Exists).Order().LastOrDefault()
            : null;
        if (bin is null || !File.Exists(Path.Combine(bin, "initdb")))
        {
            throw new InvalidOperationException(
                "Local services need PostgreSQL (/usr/lib/postgresql/<version>/bin); install it (Debian: apt-get install postgresql) or run with a container runtime.");
        }

        var data = Path.Combine(folder, "data");
        Own(folder, "postgres");
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            Exec(s_isRoot ? "setpriv" : Path.Combine(bin, "initdb"),
                AsUser("postgres", Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"));
        }

        var port = FreePort.Next();
        var server = AddAs(builder, "gme-state-server", "postgres", folder, Path.Combine(bin, "postgres"),
            "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1", "-k", folder);

        var connection = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        var check = $"{ResourceNames.State}-select1";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(check, _ => new PostgresHealthCheck(connection), null, null));
        return (server.WithHealthCheck(check), connection);
    }

    private static IResourceBuilder<ExecutableResource> AddAs(
        IDistributedApplicationBuilder builder, string name, string user, string workingDirectory, string program, params string[] args) =>
        s_isRoot
            ? builder.AddExecutable(name, "setpriv", workingDirectory, AsUser(user, program, args))
            : builder.AddExecutable(name, program, workingDirectory, args);

    private static string[] AsUser(string user, string program, params string[] args) =>
        s_isRoot ? [$"--reuid={user}", $"--regid={user}", "--init-groups", program, .. args] : args;

    private static void Own(string folder, string user)
    {
        if (s_isRoot)
        {
            Exec("chown", ["-R", $"{user}:{user}", folder]);
        }
    }

    private static void Exec(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {error.Result}{output.Result}");
        }
    }

    private static string? FindFirst(params string[] paths) => paths.FirstOrDefault(File.Exists);
}
