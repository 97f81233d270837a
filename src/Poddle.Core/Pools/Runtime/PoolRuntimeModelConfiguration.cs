using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Pools.Runtime;

internal sealed class PoolWorkerConfiguration : IEntityTypeConfiguration<PoolWorker>
{
    public void Configure(EntityTypeBuilder<PoolWorker> builder)
    {
        builder.ToTable("pool_workers");
        builder.HasKey(w => w.WorkerId);
        builder.Property(w => w.WorkerId).HasMaxLength(64);
        builder.Property(w => w.Driver).HasMaxLength(32);
        builder.Property(w => w.PodId).HasMaxLength(256);
        builder.Property(w => w.PodState).HasMaxLength(4096);
        builder.Property(w => w.State).HasMaxLength(16);
        builder.Property(w => w.Reason).HasMaxLength(64);

        // The controller reads a pool's live workers; health counts them by state.
        builder.HasIndex(w => new { w.PoolId, w.State });
        builder.HasOne<Pool>().WithMany().HasForeignKey(w => w.PoolId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PoolEventConfiguration : IEntityTypeConfiguration<PoolEvent>
{
    public void Configure(EntityTypeBuilder<PoolEvent> builder)
    {
        builder.ToTable("pool_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(16);
        builder.Property(e => e.WorkerId).HasMaxLength(64);
        builder.Property(e => e.Reason).HasMaxLength(64);
        builder.Property(e => e.Message).HasMaxLength(512);
        builder.HasIndex(e => new { e.PoolId, e.At });
        builder.HasOne<Pool>().WithMany().HasForeignKey(e => e.PoolId).OnDelete(DeleteBehavior.Cascade);
    }
}
