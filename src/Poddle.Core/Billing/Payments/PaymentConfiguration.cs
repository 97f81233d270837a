using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Poddle.Core.Accounts;

namespace Poddle.Core.Billing.Payments;

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.ToTable("payments");
        builder.Property(p => p.Id).ValueGeneratedOnAdd();
        builder.Property(p => p.Provider).HasMaxLength(16);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.State).HasMaxLength(16);
        builder.Property(p => p.ProviderTransactionId).HasMaxLength(64);

        // A provider's transaction pays one payment, however often the provider repeats its call.
        builder.HasIndex(p => new { p.Provider, p.ProviderTransactionId }).IsUnique();
        builder.HasIndex(p => new { p.Provider, p.ProviderTime });
        builder.HasIndex(p => new { p.OwnerId, p.CreatedAt });
        builder.HasOne<User>().WithMany().HasForeignKey(p => p.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}
