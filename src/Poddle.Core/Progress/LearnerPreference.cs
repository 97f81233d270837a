namespace Poddle.Core.Progress;

/// <summary>What a student chose for the learning site: the age group whose level map they see. One row per user.</summary>
public sealed class LearnerPreference
{
    /// <summary>The student.</summary>
    public Guid UserId { get; set; }

    /// <summary>"11-14" or "15-18" (an age group the curriculum's levels define).</summary>
    public required string AgeGroup { get; set; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
