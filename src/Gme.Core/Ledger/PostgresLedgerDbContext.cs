using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Ledger;

/// <summary>The ledger on PostgreSQL (distributed profile). Migrations live in Ledger/Migrations/Postgres.</summary>
public sealed class PostgresLedgerDbContext(DbContextOptions<PostgresLedgerDbContext> options) : LedgerDbContext(options);
