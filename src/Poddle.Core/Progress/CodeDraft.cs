namespace Poddle.Core.Progress;

/// <summary>
/// The code a student is writing for a problem, saved as they type so another device continues where they left off.
/// One per user, problem and language; only its owner reads or writes it. At most the execution source limit.
/// </summary>
public sealed class CodeDraft
{
    /// <summary>The student.</summary>
    public Guid UserId { get; set; }

    /// <summary>The problem's id.</summary>
    public required string ProblemId { get; set; }

    /// <summary>The runtime's canonical language name (python, c ...).</summary>
    public required string Language { get; set; }

    /// <summary>The code, at most <c>Executions:MaxCodeBytes</c> bytes of UTF-8.</summary>
    public required string Code { get; set; }

    /// <summary>When it was last saved.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
