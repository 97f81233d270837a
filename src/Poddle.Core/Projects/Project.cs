using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Poddle.Core.Accounts;

namespace Poddle.Core.Projects;

/// <summary>A user's group of deployments; its name is a DNS label unique among the owner's projects.</summary>
public sealed class Project
{
    public Guid Id { get; init; }

    public Guid OwnerId { get; init; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.ToTable("projects");
        builder.Property(p => p.Name).HasMaxLength(63);
        builder.Property(p => p.Description).HasMaxLength(ProjectService.MaxDescriptionLength);
        builder.HasIndex(p => new { p.OwnerId, p.Name }).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(p => p.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}
