using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Executions;

internal sealed class ExecutionConfiguration : IEntityTypeConfiguration<Execution>
{
    public void Configure(EntityTypeBuilder<Execution> builder)
    {
        builder.ToTable("executions");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.RateKey).HasMaxLength(100);
        builder.Property(e => e.Source).HasMaxLength(16);
        builder.Property(e => e.Language).HasMaxLength(32);
        builder.Property(e => e.Version).HasMaxLength(64);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Verdict).HasMaxLength(32);

        // Rate limits count a client's recent submissions; the queue depth counts queued ones; expiry deletes by age.
        builder.HasIndex(e => new { e.RateKey, e.CreatedAt });
        builder.HasIndex(e => e.Status);
        builder.HasIndex(e => e.CreatedAt);
        builder.HasIndex(e => e.CompletedAt);
        builder.HasIndex(e => new { e.OwnerId, e.CreatedAt });
    }
}
