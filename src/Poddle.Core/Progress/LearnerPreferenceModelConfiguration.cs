using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Progress;

internal sealed class LearnerPreferenceConfiguration : IEntityTypeConfiguration<LearnerPreference>
{
    public void Configure(EntityTypeBuilder<LearnerPreference> builder)
    {
        builder.ToTable("learner_preferences");
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.AgeGroup).HasMaxLength(16);
    }
}
