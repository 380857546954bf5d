using Gme.Pipeline.Doctor;
using Gme.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Gme.Tests.Doctor;

/// <summary>
/// A torn or garbage `-wal` beside the ledger: SQLite opens the ledger without complaint and drops the log, so the
/// doctor (and `gme run`, which refuses and points to it) must look at the log's header itself.
/// </summary>
public sealed class WriteAheadLogCheckTests
{
    [Fact]
    public void Check_LiveLogWithUncheckpointedWrites_IsHealthy()
    {
        using var dir = new TempDirectory();
        var ledger = Path.Combine(dir.Path, "ledger.db");
        using var connection = OpenWal(ledger);
        Execute(connection, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);");

        Assert.True(new FileInfo(ledger + "-wal").Length > 0, "the log holds the uncheckpointed writes");
        Assert.Null(DataDirDoctor.CheckWriteAheadLog(ledger));
    }

    [Fact]
    public void Check_NoLogOrAnEmptyOne_IsHealthy()
    {
        using var dir = new TempDirectory();
        var ledger = Path.Combine(dir.Path, "ledger.db");
        Assert.Null(DataDirDoctor.CheckWriteAheadLog(ledger));

        File.WriteAllBytes(ledger + "-wal", []);
        Assert.Null(DataDirDoctor.CheckWriteAheadLog(ledger));
    }

    [Theory]
    [InlineData(10, "is torn")]
    [InlineData(4096, "holds no SQLite log header")]
    public void Check_TornOrGarbageLog_IsReportedInOneLine(int length, string reason)
    {
        using var dir = new TempDirectory();
        var ledger = Path.Combine(dir.Path, "ledger.db");
        using (var connection = OpenWal(ledger))
        {
            Execute(connection, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
        }

        var garbage = new byte[length];
        new Random(length).NextBytes(garbage);
        File.WriteAllBytes(ledger + "-wal", garbage);

        var problem = DataDirDoctor.CheckWriteAheadLog(ledger);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.Contains("ledger.db-wal", problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    private static SqliteConnection OpenWal(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
