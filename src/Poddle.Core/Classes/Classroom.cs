namespace Poddle.Core.Classes;

/// <summary>A teacher's class: students join it by its code, and its teacher sees their progress.</summary>
public sealed class Classroom
{
    /// <summary>Version 7.</summary>
    public Guid Id { get; set; }

    /// <summary>Shown to its teacher and its students.</summary>
    public required string Name { get; set; }

    /// <summary>The teacher (or admin) who created it; only they (and admins) manage it and see its progress.</summary>
    public Guid TeacherId { get; set; }

    /// <summary><see cref="ClassService.JoinCodeLength"/> characters of <see cref="ClassService.JoinCodeAlphabet"/>; unique.</summary>
    public required string JoinCode { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A user who joined a class.</summary>
public sealed class ClassroomMember
{
    /// <summary>The class.</summary>
    public Guid ClassId { get; set; }

    /// <summary>The student.</summary>
    public Guid UserId { get; set; }

    /// <summary>When they joined.</summary>
    public DateTimeOffset JoinedAt { get; set; }
}
