using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Poddle.Core.Accounts;

namespace Poddle.Core.Billing;

internal sealed class BillingAccountConfiguration : IEntityTypeConfiguration<BillingAccount>
{
    public void Configure(EntityTypeBuilder<BillingAccount> builder)
    {
        builder.ToTable("billing_accounts");
        builder.HasKey(a => a.OwnerId);
        builder.Property(a => a.Currency).HasMaxLength(3);
        builder.HasOne<User>().WithMany().HasForeignKey(a => a.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> builder)
    {
        builder.ToTable("ledger_entries");
        builder.Property(e => e.Kind).HasMaxLength(16);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.Reason).HasMaxLength(500);
        builder.Property(e => e.Reference).HasMaxLength(200);
        builder.HasIndex(e => new { e.OwnerId, e.Sequence }).IsUnique();
        builder.HasOne<BillingAccount>().WithMany().HasForeignKey(e => e.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UsageChargeConfiguration : IEntityTypeConfiguration<UsageCharge>
{
    public void Configure(EntityTypeBuilder<UsageCharge> builder)
    {
        builder.ToTable("usage_charges");
        builder.Property(c => c.Currency).HasMaxLength(3);
        builder.Property(c => c.PriceListVersion).HasMaxLength(32);

        // The idempotency key of rating: one charge per deployment and hour, whoever rates it and however often.
        builder.HasIndex(c => new { c.DeploymentId, c.HourStart }).IsUnique();
        builder.HasIndex(c => new { c.OwnerId, c.HourStart });
    }
}

internal sealed class RatedHourConfiguration : IEntityTypeConfiguration<RatedHour>
{
    public void Configure(EntityTypeBuilder<RatedHour> builder)
    {
        builder.ToTable("rated_hours");
        builder.HasKey(h => h.HourStart);
    }
}

internal sealed class BillingNoticeConfiguration : IEntityTypeConfiguration<BillingNotice>
{
    public void Configure(EntityTypeBuilder<BillingNotice> builder)
    {
        builder.ToTable("billing_notices");
        builder.Property(n => n.Kind).HasMaxLength(32);
        builder.Property(n => n.Message).HasMaxLength(1000);

        // The idempotency key of notices: one of each kind per owner and funding period, whoever notices it first.
        builder.HasIndex(n => new { n.OwnerId, n.Kind, n.Period }).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(n => n.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}
