using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Poddle.Core.Deployments;

namespace Poddle.Core.Agents;

internal sealed class ReplicaAgentConfiguration : IEntityTypeConfiguration<ReplicaAgent>
{
    public void Configure(EntityTypeBuilder<ReplicaAgent> builder)
    {
        builder.ToTable("replica_agents");
        builder.HasKey(a => a.ReplicaId);
        builder.Property(a => a.TokenHash).HasMaxLength(64);
        builder.Property(a => a.ReportStatus).HasMaxLength(16);
        builder.Property(a => a.AgentVersion).HasMaxLength(64);

        // Every heartbeat looks its token up by hash.
        builder.HasIndex(a => a.TokenHash).IsUnique();
        builder.HasIndex(a => a.LastHeartbeatAt);
        builder.HasOne<Replica>().WithOne().HasForeignKey<ReplicaAgent>(a => a.ReplicaId).OnDelete(DeleteBehavior.Cascade);
    }
}
