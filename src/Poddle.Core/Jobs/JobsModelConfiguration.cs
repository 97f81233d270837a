using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Jobs;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.ToTable("jobs");
        builder.Property(j => j.Kind).HasMaxLength(Job.MaxKindLength);
        builder.Property(j => j.IdempotencyKey).HasMaxLength(Job.MaxIdempotencyKeyLength);
        builder.Property(j => j.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(j => j.LeaseOwner).HasMaxLength(Job.MaxLeaseOwnerLength);
        builder.Property(j => j.LastError).HasMaxLength(Job.MaxErrorLength);
        builder.HasIndex(j => j.IdempotencyKey).IsUnique();

        // The claim's scan: due queued jobs in run_at order.
        builder.HasIndex(j => new { j.State, j.RunAt });
    }
}

internal sealed class RecurringJobConfiguration : IEntityTypeConfiguration<RecurringJob>
{
    public void Configure(EntityTypeBuilder<RecurringJob> builder)
    {
        builder.ToTable("recurring_jobs");
        builder.HasKey(r => r.Name);
        builder.Property(r => r.Name).HasMaxLength(RecurringJob.MaxNameLength);
        builder.Property(r => r.Cron).HasMaxLength(100);
        builder.Property(r => r.Kind).HasMaxLength(Job.MaxKindLength);
    }
}
