namespace Poddle.Core.Curriculum.Submissions;

/// <summary>Where a graded submission is: waiting, being graded, graded, or failed in the host (not the code).</summary>
public enum SubmissionStatus
{
    /// <summary>Waiting on the "grading" lane.</summary>
    Queued,

    /// <summary>A worker is grading it; <see cref="Submission.ResultJson"/> holds the cases finished so far.</summary>
    Grading,

    /// <summary>Graded: <see cref="Submission.ResultJson"/> holds every case's result.</summary>
    Completed,

    /// <summary>The host failed (the problem vanished, the sandbox broke); it does not count as an attempt.</summary>
    Failed,
}

/// <summary>
/// Code submitted for grading against a problem, and once graded its result. Kept (unlike plain runs) because progress
/// points at the submission that solved a problem. Owned by one user; another user's submission is "not found".
/// </summary>
public sealed class Submission
{
    /// <summary>Version 7 (time-ordered).</summary>
    public Guid Id { get; set; }

    /// <summary>The submitting user.</summary>
    public Guid OwnerId { get; set; }

    /// <summary>What the per-client rate limits count ("user:{id}"), shared with plain runs.</summary>
    public required string RateKey { get; set; }

    /// <summary>The problem's id.</summary>
    public required string ProblemId { get; set; }

    /// <summary>The problem's version when submitted; the one graded when grading starts.</summary>
    public int ProblemVersion { get; set; }

    /// <summary>Canonical language name (the problem's).</summary>
    public required string Language { get; set; }

    /// <summary>The submitted source.</summary>
    public required string Code { get; set; }

    /// <summary>Queued, grading, completed or failed.</summary>
    public SubmissionStatus Status { get; set; }

    /// <summary>
    /// The grading result as JSON (<see cref="StoredGradingResult"/>); hidden cases hold only index, passed and verdict.
    /// Null until the first case is graded; while grading, the cases finished so far (its totals count those only).
    /// </summary>
    public string? ResultJson { get; set; }

    /// <summary>Cases passed; null until graded.</summary>
    public int? Passed { get; set; }

    /// <summary>Cases in all; null until graded.</summary>
    public int? Total { get; set; }

    /// <summary>Passed / Total; null until graded.</summary>
    public double? PassRate { get; set; }

    /// <summary>Every case passed (graded and completed only).</summary>
    public bool AllPassed { get; set; }

    /// <summary>Why it failed, for people; null otherwise.</summary>
    public string? Message { get; set; }

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When grading started (the latest attempt).</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When it was graded or failed.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
}
