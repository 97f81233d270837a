using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Poddle.Core.Progress;

internal sealed class CodeDraftConfiguration : IEntityTypeConfiguration<CodeDraft>
{
    public void Configure(EntityTypeBuilder<CodeDraft> builder)
    {
        builder.ToTable("code_drafts");

        // One draft per user, problem and language: a second insert for the same key is a unique violation.
        builder.HasKey(d => new { d.UserId, d.ProblemId, d.Language });
        builder.Property(d => d.ProblemId).HasMaxLength(100);
        builder.Property(d => d.Language).HasMaxLength(32);
    }
}
