using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Poddle.Core.Projects;

namespace Poddle.Core.Deployments;

internal sealed class DeploymentConfiguration : IEntityTypeConfiguration<Deployment>
{
    public void Configure(EntityTypeBuilder<Deployment> builder)
    {
        builder.ToTable("deployments");
        builder.Property(d => d.Name).HasMaxLength(63);
        builder.Property(d => d.Driver).HasMaxLength(32);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.StatusReason).HasMaxLength(1000);
        // A live deployment's name is unique in its project; a deleted one's name can be used again.
        builder.HasIndex(d => new { d.ProjectId, d.Name }).IsUnique().HasFilter("deleted_at IS NULL");
        builder.HasIndex(d => new { d.OwnerId, d.ProjectId });
        builder.HasIndex(d => d.Status);
        builder.HasOne<Project>().WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeploymentRevisionConfiguration : IEntityTypeConfiguration<DeploymentRevision>
{
    public void Configure(EntityTypeBuilder<DeploymentRevision> builder)
    {
        builder.ToTable("deployment_revisions");
        builder.Property(r => r.Cause).HasMaxLength(200);
        builder.Property(r => r.Outcome).HasMaxLength(1000);
        builder.HasIndex(r => new { r.DeploymentId, r.Number }).IsUnique();
        builder.HasOne<Deployment>().WithMany().HasForeignKey(r => r.DeploymentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReplicaConfiguration : IEntityTypeConfiguration<Replica>
{
    public void Configure(EntityTypeBuilder<Replica> builder)
    {
        builder.ToTable("replicas");
        builder.Property(r => r.Driver).HasMaxLength(32);
        builder.Property(r => r.Phase).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.PodId).HasMaxLength(200);
        builder.Property(r => r.PodState).HasMaxLength(4096);
        builder.Property(r => r.EndpointHost).HasMaxLength(255);
        builder.Property(r => r.LastExitReason).HasMaxLength(1000);
        builder.HasIndex(r => new { r.DeploymentId, r.Phase });
        builder.HasIndex(r => new { r.Driver, r.PodId });
        builder.HasOne<Deployment>().WithMany().HasForeignKey(r => r.DeploymentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeploymentEventConfiguration : IEntityTypeConfiguration<DeploymentEvent>
{
    public void Configure(EntityTypeBuilder<DeploymentEvent> builder)
    {
        builder.ToTable("deployment_events");
        builder.Property(e => e.Severity).HasMaxLength(16);
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.Reason).HasMaxLength(200);
        builder.Property(e => e.Message).HasMaxLength(2000);
        builder.HasIndex(e => new { e.DeploymentId, e.LastSeenAt });
        builder.HasOne<Deployment>().WithMany().HasForeignKey(e => e.DeploymentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CustomDomainConfiguration : IEntityTypeConfiguration<CustomDomain>
{
    public void Configure(EntityTypeBuilder<CustomDomain> builder)
    {
        builder.ToTable("custom_domains");
        builder.Property(d => d.Hostname).HasMaxLength(253);
        builder.Property(d => d.VerificationToken).HasMaxLength(64);
        builder.Property(d => d.VerifiedBy).HasMaxLength(16);
        builder.HasIndex(d => d.Hostname).IsUnique();
        builder.HasIndex(d => d.DeploymentId);
        builder.HasOne<Deployment>().WithMany().HasForeignKey(d => d.DeploymentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SourceBundleConfiguration : IEntityTypeConfiguration<SourceBundle>
{
    public void Configure(EntityTypeBuilder<SourceBundle> builder)
    {
        builder.ToTable("source_bundles");
        builder.Property(s => s.Sha256).HasMaxLength(64);
        builder.HasIndex(s => s.OwnerId);
    }
}
