using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Poddle.Core.Accounts;

namespace Poddle.Core.Classes;

internal sealed class ClassroomConfiguration : IEntityTypeConfiguration<Classroom>
{
    public void Configure(EntityTypeBuilder<Classroom> builder)
    {
        builder.ToTable("classes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Name).HasMaxLength(ClassService.MaxNameLength);
        builder.Property(c => c.JoinCode).HasMaxLength(16);
        builder.HasIndex(c => c.JoinCode).IsUnique();
        builder.HasIndex(c => c.TeacherId);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.TeacherId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ClassroomMemberConfiguration : IEntityTypeConfiguration<ClassroomMember>
{
    public void Configure(EntityTypeBuilder<ClassroomMember> builder)
    {
        builder.ToTable("class_members");

        // Joining twice is one membership: the second insert is a unique violation, read as "already joined".
        builder.HasKey(m => new { m.ClassId, m.UserId });
        builder.HasIndex(m => m.UserId);
        builder.HasOne<Classroom>().WithMany().HasForeignKey(m => m.ClassId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
