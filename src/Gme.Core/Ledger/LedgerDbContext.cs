using Microsoft.EntityFrameworkCore;

namespace Gme.Core.Ledger;

/// <summary>
/// The state ledger: one model for SQLite (embedded) and PostgreSQL (distributed). Each provider has its own
/// derived context so that each keeps its own migration set, as EF requires for several providers.
/// </summary>
public abstract class LedgerDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<RunEntity> Runs => Set<RunEntity>();
    public DbSet<ProductEntity> Products => Set<ProductEntity>();
    public DbSet<ImageEntity> Images => Set<ImageEntity>();
    public DbSet<ShardEntity> Shards => Set<ShardEntity>();
    public DbSet<VectorFileEntity> VectorFiles => Set<VectorFileEntity>();
    public DbSet<RejectedRowEntity> RejectedRows => Set<RejectedRowEntity>();
    public DbSet<InboxMessageEntity> InboxMessages => Set<InboxMessageEntity>();
    public DbSet<OutboxMessageEntity> OutboxMessages => Set<OutboxMessageEntity>();
    public DbSet<RemoteFileEntity> RemoteFiles => Set<RemoteFileEntity>();
    public DbSet<CollectionVersionEntity> CollectionVersions => Set<CollectionVersionEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RunEntity>(e =>
        {
            e.ToTable("runs");
            e.HasKey(x => x.Id);
            e.Property(x => x.SourceDescription).HasMaxLength(1024);
            e.Property(x => x.Provider).HasMaxLength(64);
            e.Property(x => x.ModelId).HasMaxLength(256);
            e.Property(x => x.Collection).HasMaxLength(256);
            e.Property(x => x.StalledService).HasMaxLength(128);
            e.Property(x => x.TraceParent).HasMaxLength(128);
            e.HasIndex(x => x.Status);

            // The row is the run saga's instance: the saga's state is Status, its correlation id is Id.
            e.Ignore(x => x.CorrelationId);
            e.Ignore(x => x.CurrentState);
            e.Property(x => x.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<ProductEntity>(e =>
        {
            e.ToTable("products");
            e.HasKey(x => new { x.Collection, x.Id });
            e.Property(x => x.Collection).HasMaxLength(64);
            e.Property(x => x.Id).HasMaxLength(128);
            e.Property(x => x.PhotoSha256).HasMaxLength(64);
            e.Property(x => x.PhotoStamp).HasMaxLength(64);
            e.Property(x => x.ContentHash).HasMaxLength(64);
            e.Property(x => x.ImageSha256).HasMaxLength(64);
            e.Property(x => x.ShardId).HasMaxLength(64);
            e.Property(x => x.VectorFileId).HasMaxLength(96);
            e.HasIndex(x => new { x.LastRunId, x.Stage, x.Failed });
            e.HasIndex(x => x.ShardId);
            e.HasIndex(x => new { x.RemovedInRunId, x.PurgedAt });
            e.Ignore(x => x.IsLive);
        });

        modelBuilder.Entity<ImageEntity>(e =>
        {
            e.ToTable("images");
            e.HasKey(x => x.Ref);
            e.Property(x => x.Ref).HasMaxLength(4096);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.HasIndex(x => x.Sha256);
        });

        modelBuilder.Entity<ShardEntity>(e =>
        {
            e.ToTable("shards");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.DisplayName).HasMaxLength(128);
            e.Property(x => x.JobName).HasMaxLength(256);
            // Every shard save is a compare-and-set on the state and claim its writer read: a stage that loaded the
            // shard as Submitting cannot move it back after another Embedder finished it meanwhile.
            e.Property(x => x.State).IsConcurrencyToken();
            e.Property(x => x.ClaimToken).IsConcurrencyToken();
            e.Property(x => x.TraceParent).HasMaxLength(128);
            e.HasIndex(x => new { x.RunId, x.State });
        });

        modelBuilder.Entity<VectorFileEntity>(e =>
        {
            e.ToTable("vector_files");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(96);
            e.Property(x => x.ShardId).HasMaxLength(64);
            e.Property(x => x.Sha256).HasMaxLength(64);
            e.Property(x => x.ModelId).HasMaxLength(256);
            e.HasIndex(x => new { x.RunId, x.State });
            e.HasIndex(x => x.ShardId);
        });

        modelBuilder.Entity<RejectedRowEntity>(e =>
        {
            e.ToTable("rejected_rows");
            e.HasKey(x => new { x.RunId, x.RowNumber });
            e.Property(x => x.ProductId).HasMaxLength(160);
            e.Property(x => x.Reason).HasMaxLength(1024);
        });

        modelBuilder.Entity<InboxMessageEntity>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(x => new { x.Consumer, x.MessageId });
            e.Property(x => x.Consumer).HasMaxLength(256);
            e.Property(x => x.MessageType).HasMaxLength(256);
            e.HasIndex(x => x.ProcessedAt);
        });

        modelBuilder.Entity<OutboxMessageEntity>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.MessageType).HasMaxLength(256);
            e.Property(x => x.TraceParent).HasMaxLength(128);
            e.HasIndex(x => new { x.SentAt, x.CreatedAt });
        });

        modelBuilder.Entity<RemoteFileEntity>(e =>
        {
            e.ToTable("remote_files");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(256);
            e.Property(x => x.ShardId).HasMaxLength(64);
            e.HasIndex(x => new { x.ShardId, x.DeletedAt });
            e.HasIndex(x => x.DeletedAt);
        });

        modelBuilder.Entity<CollectionVersionEntity>(e =>
        {
            e.ToTable("collection_versions");
            e.HasKey(x => new { x.Collection, x.Version });
            e.Property(x => x.Collection).HasMaxLength(256);
            e.Property(x => x.Physical).HasMaxLength(280);
            e.Property(x => x.Provider).HasMaxLength(64);
            e.Property(x => x.ModelId).HasMaxLength(256);
            e.Property(x => x.GateSummary).HasMaxLength(1024);
            e.HasIndex(x => x.BuildRunId);
        });
    }
}
