using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Progress;

internal sealed class ProblemProgressConfiguration : IEntityTypeConfiguration<ProblemProgress>
{
    public void Configure(EntityTypeBuilder<ProblemProgress> builder)
    {
        builder.ToTable("problem_progress");

        // One row per user and problem: a second insert for the same pair is a unique violation, never a duplicate.
        builder.HasKey(p => new { p.UserId, p.ProblemId });
        builder.Property(p => p.ProblemId).HasMaxLength(100);
        builder.Ignore(p => p.Solved);
    }
}
