using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Ledger;

/// <summary>The ledger on SQLite (embedded profile). Migrations live in Ledger/Migrations/Sqlite.</summary>
public sealed class SqliteLedgerDbContext(DbContextOptions<SqliteLedgerDbContext> options) : LedgerDbContext(options);
