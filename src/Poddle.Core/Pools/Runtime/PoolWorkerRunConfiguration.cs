using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Pools.Runtime;

internal sealed class PoolWorkerRunConfiguration : IEntityTypeConfiguration<PoolWorkerRun>
{
    public void Configure(EntityTypeBuilder<PoolWorkerRun> builder)
    {
        builder.ToTable("pool_worker_runs");
        builder.Property(r => r.PoolName).HasMaxLength(63);
        builder.Property(r => r.WorkerId).HasMaxLength(64);
        builder.HasIndex(r => new { r.WorkerId, r.StoppedAt });

        // Metering reads the runs that overlap an hour: started before its end, stopped after its start (or running).
        builder.HasIndex(r => new { r.StartedAt, r.StoppedAt });
    }
}
