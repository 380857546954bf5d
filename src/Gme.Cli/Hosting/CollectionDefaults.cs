using Gme.Core;
using Gme.Core.Ledger;
using Gme.Core.Runs;
using Gme.Core.Sources;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Gme.Cli.Hosting;

/// <summary>
/// Which catalogue a command works on when neither `--collection` nor <c>Gme:Collection</c> names one, decided before
/// its host is built so that every service of the command sees the same name. `gme run` takes the source's name
/// (<see cref="CatalogueNames.ForRun"/>); status, search, eval, validate and serve take the catalogue of the data dir's
/// latest run, and <c>products</c> in a data dir without runs.
/// </summary>
internal static class CollectionDefaults
{
    public static CommonOptions ForRun(CommonOptions common, SourceSpec spec) =>
        IsNamed(common) ? common : common with { Collection = CatalogueNames.ForRun(spec, ReadRuns(common)) };

    public static CommonOptions ForQuery(CommonOptions common)
    {
        if (IsNamed(common))
        {
            return common;
        }

        var latest = ReadRuns(common).Select(r => r.Collection).FirstOrDefault();
        return latest is null || !GmeOptions.IsValidCollectionName(latest) ? common : common with { Collection = latest };
    }

    /// <summary>`--collection`, or the setting from the environment (the CLI reads no settings files).</summary>
    private static bool IsNamed(CommonOptions common) =>
        common.Collection is not null
        || new ConfigurationBuilder().AddEnvironmentVariables().Build()[$"{GmeOptions.SectionName}:{nameof(GmeOptions.Collection)}"] is { Length: > 0 };

    /// <summary>The ledger's runs, newest first, read only (none when there is no ledger yet; never created here).</summary>
    private static List<(string Collection, string SourceJson)> ReadRuns(CommonOptions common)
    {
        if (!File.Exists(common.LedgerFile))
        {
            return [];
        }

        var connection = new SqliteConnectionStringBuilder { DataSource = common.LedgerFile, Mode = SqliteOpenMode.ReadWrite, Pooling = false };
        using var db = new SqliteLedgerDbContext(new DbContextOptionsBuilder<SqliteLedgerDbContext>().UseSqlite(connection.ToString()).Options);
        try
        {
            return db.Runs.AsNoTracking().OrderByDescending(r => r.CreatedAt)
                .Select(r => new { r.Collection, r.SourceJson }).AsEnumerable()
                .Select(r => (r.Collection, r.SourceJson)).ToList();
        }
        catch (SqliteException)
        {
            // No runs table yet (a ledger that was never migrated): nothing ran in it.
            return [];
        }
    }
}
