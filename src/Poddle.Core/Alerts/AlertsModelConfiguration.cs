using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Poddle.Core.Accounts;

namespace Poddle.Core.Alerts;

internal sealed class AlertIncidentConfiguration : IEntityTypeConfiguration<AlertIncident>
{
    public void Configure(EntityTypeBuilder<AlertIncident> builder)
    {
        builder.ToTable("alert_incidents");
        builder.Property(i => i.Key).HasMaxLength(AlertLimits.KeyLength);
        builder.Property(i => i.FiringKey).HasMaxLength(AlertLimits.KeyLength);
        builder.Property(i => i.Level).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Title).HasMaxLength(AlertLimits.TitleLength);
        builder.Property(i => i.Message).HasMaxLength(AlertLimits.MessageLength);

        // Once per incident: one firing row per key, whichever server raises it (both providers allow many NULLs).
        builder.HasIndex(i => i.FiringKey).IsUnique();
        builder.HasIndex(i => new { i.Key, i.FiringSince });
        builder.HasIndex(i => new { i.OwnerId, i.FiringSince });
        builder.HasOne<User>().WithMany().HasForeignKey(i => i.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AlertSettingsConfiguration : IEntityTypeConfiguration<AlertSettings>
{
    public void Configure(EntityTypeBuilder<AlertSettings> builder)
    {
        builder.ToTable("alert_settings");
        builder.HasKey(s => s.OwnerId);
        builder.Property(s => s.WebhookUrl).HasMaxLength(AlertLimits.WebhookUrlLength);
        builder.Property(s => s.Format).HasMaxLength(16);
        builder.Property(s => s.MinLevel).HasConversion<string>().HasMaxLength(16);
        builder.HasOne<User>().WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}
