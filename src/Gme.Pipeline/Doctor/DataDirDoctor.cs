using System.Security.Cryptography;
using Gme.Core.Ledger;
using Gme.Core.Storage;
using Gme.Core.VectorFiles;
using Gme.Core.Vectors;
using Gme.Pipeline.Stages;
using Gme.VectorStores.Embedded;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Gme.Pipeline.Doctor;

/// <summary>
/// Checks an embedded data dir's parts against each other (ledger integrity, vector files against their ledger
/// checksums, each embedded collection's spec file and point log against the ledger's indexed products) and repairs
/// what can be rebuilt from what is still sound. Nothing is dropped: a damaged index folder is moved aside, never
/// deleted, and products whose vectors are lost go back to be embedded again by the next <c>gme run</c>.
/// </summary>
public sealed class DataDirDoctor
{
    private readonly DataPaths _paths;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _clock;

    public DataDirDoctor(DataPaths paths, IServiceProvider services)
    {
        _paths = paths;
        _services = services;
        _clock = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
    }

    /// <summary>Ledger integrity alone, without EF Core: a damaged ledger must be reported, not thrown.</summary>
    public static string? CheckLedger(string ledgerFile)
    {
        if (!File.Exists(ledgerFile))
        {
            return null;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = ledgerFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            var result = command.ExecuteScalar() as string;
            return result == "ok" ? null : $"SQLite integrity check failed: {Shorten(OneLine(result ?? "no answer"))}";
        }
        catch (SqliteException ex)
        {
            return $"cannot be read as a SQLite database ({ex.Message})";
        }
    }

    /// <summary>
    /// The ledger's write-ahead log, checked by its header. SQLite silently ignores a log whose header is torn or
    /// overwritten (and resets it on the next write), so the changes it held are lost without any error on open:
    /// only a look at the header shows it. An empty or absent log is the normal state after a clean close.
    /// </summary>
    public static string? CheckWriteAheadLog(string ledgerFile)
    {
        var wal = new FileInfo(ledgerFile + "-wal");
        if (!wal.Exists || wal.Length == 0)
        {
            return null;
        }

        Span<byte> header = stackalloc byte[WalHeaderBytes];
        using (var stream = wal.OpenRead())
        {
            if (stream.ReadAtLeast(header, WalHeaderBytes, throwOnEndOfStream: false) < WalHeaderBytes)
            {
                return $"its write-ahead log {wal.Name} is torn ({wal.Length} bytes, shorter than a log header): the changes it held are lost";
            }
        }

        var magic = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header);
        var version = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        return magic is WalMagicLittleEndianChecksums or WalMagicBigEndianChecksums && version == WalFormatVersion
            ? null
            : $"its write-ahead log {wal.Name} holds no SQLite log header (overwritten or garbage): the changes it held are lost";
    }

    /// <summary>What <see cref="RepairLedgerFiles"/> does about a torn or garbage write-ahead log, for the doctor's line.</summary>
    public const string WalRepairHint = "`gme doctor --repair` moves the log aside, so the ledger opens at its last checkpoint, and the next `gme run` with the same source redoes what it lost";

    /// <summary>What <see cref="RepairLedgerFiles"/> does about a ledger that cannot be read, for the doctor's line.</summary>
    public const string LedgerRepairHint = "`gme doctor --repair` moves it aside, and the next `gme run` with the same source starts a new ledger and embeds every product again "
        + "(or restore it from a backup)";

    /// <summary>
    /// Repairs the ledger's own files, before anything opens them (opening would reset a torn log and hide the loss;
    /// a damaged database cannot be opened at all). A torn or garbage write-ahead log is moved aside: SQLite then opens
    /// the database at its last checkpoint, and the changes the log held are redone by the next run, which finds the
    /// products it lost not yet indexed (every stage is idempotent; the index and the vector files are checked against
    /// the rolled-back ledger by <see cref="RepairAsync"/>). A database that fails its integrity check is moved aside
    /// with its log: the next run with the same source builds a new ledger from the catalogue. Nothing is deleted.
    /// Returns what it did, one line each.
    /// </summary>
    public static IReadOnlyList<string> RepairLedgerFiles(string ledgerFile, TimeProvider clock)
    {
        var done = new List<string>();
        var stamp = clock.GetUtcNow().ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        if (CheckWriteAheadLog(ledgerFile) is not null)
        {
            var aside = MoveAside(ledgerFile + "-wal", stamp);
            MoveAside(ledgerFile + "-shm", stamp);
            done.Add($"{ledgerFile}-wal: moved aside to {aside}; the ledger is back at its last checkpoint, and the next `gme run` with the same source redoes what the log held");
        }

        // Judged only once the log is sound: with a garbage log beside it, opening the database fails whatever its state.
        if (CheckLedger(ledgerFile) is not null)
        {
            var aside = MoveAside(ledgerFile, stamp);
            MoveAside(ledgerFile + "-wal", stamp);
            MoveAside(ledgerFile + "-shm", stamp);
            done.Add($"{ledgerFile}: moved aside to {aside}; the next `gme run` with the same source starts a new ledger and embeds every product again");
        }

        return done;
    }

    private static string? MoveAside(string path, string stamp)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var aside = $"{path}.damaged-{stamp}";
        for (var n = 2; File.Exists(aside); n++)
        {
            aside = $"{path}.damaged-{stamp}-{n}";
        }

        File.Move(path, aside);
        return aside;
    }

    private const int WalHeaderBytes = 32;
    private const uint WalMagicLittleEndianChecksums = 0x377f0682;
    private const uint WalMagicBigEndianChecksums = 0x377f0683;
    private const uint WalFormatVersion = 3007000;

    public async Task<IReadOnlyList<DoctorFinding>> CheckAsync(CancellationToken cancellationToken = default)
    {
        var findings = new List<DoctorFinding>();
        if (CheckWriteAheadLog(_paths.LedgerFile) is { } walProblem)
        {
            findings.Add(new DoctorFinding(_paths.LedgerFile, $"{walProblem}; {WalRepairHint}", Repairable: true));
        }

        else if (CheckLedger(_paths.LedgerFile) is { } ledgerProblem)
        {
            // Everything else is checked against the ledger: without it there is nothing sound to compare with.
            findings.Add(new DoctorFinding(_paths.LedgerFile, $"{ledgerProblem}; {LedgerRepairHint}", Repairable: true));
            return findings;
        }

        var dbFactory = Service<IDbContextFactory<LedgerDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var file in await db.VectorFiles.AsNoTracking().ToListAsync(cancellationToken))
        {
            if (await VectorFileProblemAsync(file, cancellationToken) is { } problem)
            {
                findings.Add(new DoctorFinding(file.Path, $"{problem}; its {file.Rows} products must be embedded again", Repairable: true));
            }
        }

        findings.AddRange(CheckAliases());
        foreach (var (collection, expected) in await IndexedByCollectionAsync(db, cancellationToken))
        {
            findings.AddRange(await CheckCollectionAsync(collection, expected, cancellationToken));
        }

        return findings;
    }

    /// <summary>Repairs what <see cref="CheckAsync"/> found; returns what it did, one line each.</summary>
    public async Task<IReadOnlyList<string>> RepairAsync(CancellationToken cancellationToken = default)
    {
        var done = new List<string>(RepairLedgerFiles(_paths.LedgerFile, _clock));
        if (!File.Exists(_paths.LedgerFile))
        {
            return done;
        }

        var dbFactory = Service<IDbContextFactory<LedgerDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // Lost vectors first, so the rebuilt index holds only products whose vectors exist.
        foreach (var file in await db.VectorFiles.ToListAsync(cancellationToken))
        {
            if (await VectorFileProblemAsync(file, cancellationToken) is null)
            {
                continue;
            }

            var requeued = await ProductEntity.RequeueLostVectorsAsync(db.Products, file.Id, _clock.GetUtcNow().UtcDateTime, cancellationToken);
            db.VectorFiles.Remove(file);
            await db.SaveChangesAsync(cancellationToken);
            done.Add($"{file.Path}: {requeued} products moved back to be embedded again by `gme run`");
        }

        foreach (var (collection, expected) in await IndexedByCollectionAsync(db, cancellationToken))
        {
            if ((await CheckCollectionAsync(collection, expected, cancellationToken)).Count > 0)
            {
                done.Add(await RebuildAsync(db, collection, cancellationToken));
            }
        }

        return done;
    }

    private async Task<string> RebuildAsync(LedgerDbContext db, string logical, CancellationToken ct)
    {
        // The live version's own collection when the name is an alias (index versions); the ledger's products are its.
        var collection = await PhysicalAsync(logical, ct);
        var directory = Path.Combine(_paths.Index, collection);
        var aside = $"{directory}.damaged-{_clock.GetUtcNow():yyyyMMddHHmmss}";
        if (Directory.Exists(directory))
        {
            Directory.Move(directory, aside);
        }

        var store = Service<IVectorStore>();
        await store.EnsureCollectionAsync(Service<CollectionInitializer>().SpecFor(collection), ct);
        var runs = await db.Runs.AsNoTracking().Where(r => r.Collection == logical).Select(r => r.Id).ToListAsync(ct);
        var files = await db.VectorFiles.AsNoTracking().Where(f => runs.Contains(f.RunId)).ToListAsync(ct);
        var points = 0;
        foreach (var file in files)
        {
            var payloads = await db.Products.AsNoTracking()
                .Where(p => p.VectorFileId == file.Id && p.Stage == ProductStage.Indexed && !p.Failed && p.RemovedInRunId == null)
                .ToDictionaryAsync(p => p.Id, p => p.PayloadJson, StringComparer.Ordinal, ct);
            var batch = new List<VectorPoint>();
            await foreach (var row in VectorFileReader.ReadRowsAsync(file.Path, ct))
            {
                if (payloads.TryGetValue(row.ProductId, out var payload))
                {
                    batch.Add(new VectorPoint(row.PointId, row.Vectors, PointPayload.Build(row.ProductId, payload)));
                }
            }

            await store.UpsertAsync(collection, batch, ct);
            points += batch.Count;
        }

        var kept = Directory.Exists(aside) ? $"; the damaged copy is kept in {aside}" : "";
        return $"index '{collection}': rebuilt from {files.Count} vector files, {points} points{kept}";
    }

    /// <summary>What a collection name stands for on disk: the version its alias points at, or the collection itself.</summary>
    private async Task<string> PhysicalAsync(string collection, CancellationToken ct)
    {
        try
        {
            return await Service<IVectorStore>().GetAliasTargetAsync(collection, ct) ?? collection;
        }
        catch (InvalidDataException)
        {
            // A damaged aliases.json is a finding of its own (CheckAliases).
            return collection;
        }
    }

    private async Task<List<DoctorFinding>> CheckCollectionAsync(string collection, int expected, CancellationToken ct)
    {
        var findings = new List<DoctorFinding>();
        var directory = Path.Combine(_paths.Index, await PhysicalAsync(collection, ct));
        var specFile = Path.Combine(directory, EmbeddedCollection.SpecFileName);
        var logFile = Path.Combine(directory, EmbeddedCollection.LogFileName);
        if (!Directory.Exists(directory))
        {
            findings.Add(new DoctorFinding(directory, $"index folder is missing; the ledger has {expected} indexed products for it", true));
            return findings;
        }

        try
        {
            if (await CollectionSpecFile.ReadAsync(specFile, ct) is null)
            {
                findings.Add(new DoctorFinding(specFile, "is missing", true));
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
        {
            findings.Add(new DoctorFinding(specFile, $"cannot be read ({OneLine(ex.Message)})", true));
        }

        using var log = PointLog.OpenRead(logFile);
        if (log is null)
        {
            findings.Add(new DoctorFinding(logFile, $"is missing; the ledger has {expected} indexed products for it", true));
            return findings;
        }

        try
        {
            PointLog.ReadGeneration(log);
        }
        catch (InvalidDataException)
        {
            findings.Add(new DoctorFinding(logFile, "has a damaged header", true));
            return findings;
        }

        var live = new HashSet<Guid>();
        var scan = PointLog.ReadRecords(log, PointLog.HeaderSize, r =>
        {
            if (r.Operation == LogOperation.Delete)
            {
                live.Remove(r.Id);
            }
            else
            {
                live.Add(r.Id);
            }
        });
        if (scan.TailBytes > 0)
        {
            findings.Add(new DoctorFinding(logFile, $"{scan.TailBytes} bytes after record {scan.Records} do not read back (damaged or torn); points in them are lost from the index", true));
        }

        if (live.Count != expected)
        {
            findings.Add(new DoctorFinding(logFile, $"holds {live.Count} points but the ledger has {expected} indexed products", true));
        }

        return findings;
    }

    private IEnumerable<DoctorFinding> CheckAliases()
    {
        var path = Path.Combine(_paths.Index, AliasFile.FileName);
        if (!File.Exists(path))
        {
            yield break;
        }

        string? problem = null;
        try
        {
            using var stream = File.OpenRead(path);
            using var _ = System.Text.Json.JsonDocument.Parse(stream);
        }
        catch (System.Text.Json.JsonException ex)
        {
            problem = $"cannot be read ({OneLine(ex.Message)}); fix or delete it and run `gme run` again to set the aliases";
        }

        if (problem is not null)
        {
            yield return new DoctorFinding(path, problem, Repairable: false);
        }
    }

    private static async Task<Dictionary<string, int>> IndexedByCollectionAsync(LedgerDbContext db, CancellationToken ct)
    {
        var rows = await (
            from p in db.Products.AsNoTracking()
            where p.Stage == ProductStage.Indexed && !p.Failed && p.RemovedInRunId == null && p.VectorFileId != null
            join f in db.VectorFiles.AsNoTracking() on p.VectorFileId equals f.Id
            join r in db.Runs.AsNoTracking() on f.RunId equals r.Id
            group p by r.Collection into g
            select new { Collection = g.Key, Count = g.Count() }).ToListAsync(ct);
        return rows.ToDictionary(r => r.Collection, r => r.Count, StringComparer.Ordinal);
    }

    private static async Task<string?> VectorFileProblemAsync(VectorFileEntity file, CancellationToken ct)
    {
        if (!File.Exists(file.Path))
        {
            return "vector file is missing";
        }

        await using var stream = File.OpenRead(file.Path);
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        return string.Equals(hash, file.Sha256, StringComparison.OrdinalIgnoreCase) ? null : "vector file does not match its checksum in the ledger";
    }

    private T Service<T>()
        where T : notnull => (T)(_services.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered"));

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private static string Shorten(string line) => line.Length <= 300 ? line : line[..300] + "…";
}
