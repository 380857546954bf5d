
namespace Gme.Cli.Hosting;

/// <summary>Runs a read-only command body against an existing data directory (ledger, model and index, no bus).</summary>
internal static class QueryHost
{
    public static async Task<T> RunAsync<T>(CommonOptions common, Func<IServiceProvider, Task<T>> body, CancellationToken ct)
    {
        common.RequireExistingData();
        DamagedData.ThrowIfLedgerDamaged(common);
        common = CollectionDefaults.ForQuery(common);
        using var host = CliHost.BuildQuery(common);
        await host.StartAsync(ct);
        try
        {
            return await body(host.Services);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
