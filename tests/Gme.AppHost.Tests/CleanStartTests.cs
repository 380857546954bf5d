using System.Net;
using System.Net.Sockets;
using Gme.AppHost.Infrastructure;

namespace Gme.AppHost.Tests;

/// <summary>Starting the AppHost: fixed ports that are taken move, local state persists in one folder, a missing prerequisite is one line.</summary>
public sealed class CleanStartTests
{
    [Fact]
    public void A_taken_dashboard_port_moves_to_a_free_one_and_free_or_remote_ones_stay()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var freePort = FreePort.Next();
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://localhost:{freePort}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{takenPort}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://10.1.2.3:{takenPort}",
        };

        var moved = DashboardPorts.MoveTakenPorts(environment, DashboardPorts.IsFree);

        Assert.Equal(["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"], moved);
        var now = new Uri(environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"]!);
        Assert.Equal("localhost", now.Host);
        Assert.NotEqual(takenPort, now.Port);
        Assert.True(DashboardPorts.IsFree(now.Port));
        Assert.False(DashboardPorts.IsFree(takenPort));
        Assert.Equal($"http://localhost:{freePort}", environment["ASPNETCORE_URLS"]);
        Assert.Equal($"http://10.1.2.3:{takenPort}", environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"]);
    }

    [Fact]
    public void The_state_folder_persists_across_starts_and_a_second_app_gets_a_temporary_one_it_removes()
    {
        var root = Path.Combine(Path.GetTempPath(), "gme-state-" + Guid.NewGuid().ToString("n"));
        try
        {
            string marker;
            using (var first = LocalStateFolder.Open(configured: null, root))
            {
                Assert.Equal(Path.Combine(root, LocalStateFolder.DefaultName), first.Path);
                Assert.False(first.IsTemporary);
                marker = Path.Combine(first.Path, "ledger-survives");
                File.WriteAllText(marker, "x");

                // A second AppHost while the first runs: its own folder, gone when it exits; the first's untouched.
                string second;
                using (var other = LocalStateFolder.Open(configured: null, root))
                {
                    Assert.True(other.IsTemporary);
                    Assert.NotEqual(first.Path, other.Path);
                    second = other.Path;
                    Assert.True(Directory.Exists(second));
                }

                Assert.False(Directory.Exists(second));
                Assert.True(File.Exists(marker));
            }

            // The next start takes the same folder back, with what was in it.
            using var again = LocalStateFolder.Open(configured: null, root);
            Assert.Equal(Path.Combine(root, LocalStateFolder.DefaultName), again.Path);
            Assert.False(again.IsTemporary);
            Assert.True(File.Exists(marker));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Missing_local_services_are_named_in_one_line()
    {
        var nowhere = Path.Combine(Path.GetTempPath(), "gme-nowhere-" + Guid.NewGuid().ToString("n"));
        var both = Prerequisites.MissingLocal(Path.Combine(nowhere, "rabbitmq-server"), [Path.Combine(nowhere, "epmd")], nowhere);
        Assert.Equal(
            "local services need RabbitMQ (rabbitmq-server) and PostgreSQL (postgresql) installed: apt-get install rabbitmq-server postgresql "
            + "(Debian/Ubuntu), or start Docker and run with --Gme:Infrastructure=Containers", both);
        Assert.DoesNotContain("\n", both!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Containers_without_a_runtime_exit_2_with_one_line_and_no_stack_trace()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = ChildProcess.AppHost("--Gme:Infrastructure=Containers");

        // A runtime that does not exist, so the check fails the same way on every machine.
        start.Environment["ASPIRE_CONTAINER_RUNTIME"] = "gme-no-such-container-runtime";
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(2), ct);

        Assert.Equal(2, exitCode);
        var error = stderr.TrimEnd();
        Assert.StartsWith("error: Gme:Infrastructure=Containers needs a running container runtime", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
    }
}
