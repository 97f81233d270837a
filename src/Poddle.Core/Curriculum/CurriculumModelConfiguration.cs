using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Curriculum;

internal sealed class StoredProblemConfiguration : IEntityTypeConfiguration<StoredProblem>
{
    public void Configure(EntityTypeBuilder<StoredProblem> builder)
    {
        builder.ToTable("curriculum_problems");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasMaxLength(64);
        builder.Property(p => p.Origin).HasMaxLength(16);
        builder.HasIndex(p => p.AuthorId);
    }
}

internal sealed class StoredProblemVersionConfiguration : IEntityTypeConfiguration<StoredProblemVersion>
{
    public void Configure(EntityTypeBuilder<StoredProblemVersion> builder)
    {
        builder.ToTable("curriculum_problem_versions");
        builder.HasKey(v => new { v.ProblemId, v.Version });
        builder.Property(v => v.ProblemId).HasMaxLength(64);
        builder.Property(v => v.Title).HasMaxLength(200);

        // Versions are history: a problem is archived, never deleted, so its versions stay with it.
        builder.HasOne<StoredProblem>().WithMany().HasForeignKey(v => v.ProblemId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StoredLevelConfiguration : IEntityTypeConfiguration<StoredLevel>
{
    public void Configure(EntityTypeBuilder<StoredLevel> builder)
    {
        builder.ToTable("curriculum_levels");
        builder.HasKey(l => new { l.AgeGroup, l.Number });
        builder.Property(l => l.AgeGroup).HasMaxLength(16);
        builder.Property(l => l.Title).HasMaxLength(200);
    }
}
