using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Deployments;

internal sealed class ReplicaRunConfiguration : IEntityTypeConfiguration<ReplicaRun>
{
    public void Configure(EntityTypeBuilder<ReplicaRun> builder)
    {
        builder.ToTable("replica_runs");

        // No foreign key to the replica: replica rows may go before their usage is billed; the deployment row stays (soft delete).
        builder.HasOne<Deployment>().WithMany().HasForeignKey(r => r.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.ReplicaId, r.StoppedAt });

        // Metering reads the runs that overlap an hour: started before its end, stopped after its start (or running).
        builder.HasIndex(r => new { r.StartedAt, r.StoppedAt });
    }
}
