using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Poddle.Core.Accounts;

namespace Poddle.Core.Pools;

internal sealed class PoolConfiguration : IEntityTypeConfiguration<Pool>
{
    public void Configure(EntityTypeBuilder<Pool> builder)
    {
        builder.ToTable("pools");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(63);
        builder.Property(p => p.Driver).HasMaxLength(32);
        builder.Property(p => p.ScalerType).HasMaxLength(32);
        builder.Property(p => p.Generation).IsConcurrencyToken();
        builder.Property(p => p.BudgetPerHour).HasPrecision(18, 6);
        builder.HasIndex(p => new { p.OwnerId, p.Name }).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(p => p.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PoolJobConfiguration : IEntityTypeConfiguration<PoolJob>
{
    public void Configure(EntityTypeBuilder<PoolJob> builder)
    {
        builder.ToTable("pool_jobs");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.Status).HasMaxLength(16).IsConcurrencyToken();
        builder.Property(j => j.Webhook).HasMaxLength(2048);
        builder.Property(j => j.WorkerId).HasMaxLength(64);
        builder.Property(j => j.TraceParent).HasMaxLength(128);

        // Workers take the oldest queued job of their pool; health counts by status; maintenance deletes by expiry.
        builder.HasIndex(j => new { j.PoolId, j.Status, j.QueuedAt });
        builder.HasIndex(j => new { j.WorkerId, j.Status });
        builder.HasIndex(j => j.ExpiresAt);
        builder.HasOne<Pool>().WithMany().HasForeignKey(j => j.PoolId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PoolJobStreamChunkConfiguration : IEntityTypeConfiguration<PoolJobStreamChunk>
{
    public void Configure(EntityTypeBuilder<PoolJobStreamChunk> builder)
    {
        builder.ToTable("pool_job_stream_chunks");
        builder.HasKey(c => new { c.JobId, c.Sequence });
        builder.HasOne<PoolJob>().WithMany().HasForeignKey(c => c.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PoolWorkerKeyConfiguration : IEntityTypeConfiguration<PoolWorkerKey>
{
    public void Configure(EntityTypeBuilder<PoolWorkerKey> builder)
    {
        builder.ToTable("pool_worker_keys");
        builder.HasKey(k => k.WorkerId);
        builder.Property(k => k.WorkerId).HasMaxLength(64);
        builder.Property(k => k.KeyHash).HasMaxLength(64);
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.HasOne<Pool>().WithMany().HasForeignKey(k => k.PoolId).OnDelete(DeleteBehavior.Cascade);
    }
}
