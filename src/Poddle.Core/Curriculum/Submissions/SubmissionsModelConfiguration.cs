using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Curriculum.Submissions;

internal sealed class SubmissionConfiguration : IEntityTypeConfiguration<Submission>
{
    public void Configure(EntityTypeBuilder<Submission> builder)
    {
        builder.ToTable("submissions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.RateKey).HasMaxLength(100);
        builder.Property(s => s.ProblemId).HasMaxLength(100);
        builder.Property(s => s.Language).HasMaxLength(32);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Message).HasMaxLength(1000);

        // A user's submissions of a problem, newest first; the rate limit counts a client's recent ones; the queue
        // depth counts queued ones; the streak reads a user's graded days.
        builder.HasIndex(s => new { s.OwnerId, s.ProblemId, s.CreatedAt });
        builder.HasIndex(s => new { s.OwnerId, s.CreatedAt });
        builder.HasIndex(s => new { s.RateKey, s.CreatedAt });
        builder.HasIndex(s => s.Status);
    }
}
