namespace Poddle.Core.Progress;

/// <summary>
/// One user's progress on one problem. Solved only through a graded submission that passed every case (the grading
/// handler sets <see cref="SolvedAt"/> and <see cref="SolvedBySubmissionId"/>); no request can set them otherwise.
/// </summary>
public sealed class ProblemProgress
{
    /// <summary>The student.</summary>
    public Guid UserId { get; set; }

    /// <summary>The problem's id.</summary>
    public required string ProblemId { get; set; }

    /// <summary>Graded submissions plus attempts the client reported (POST /api/progress/attempt).</summary>
    public int Attempts { get; set; }

    /// <summary>The best pass rate of a graded submission, 0 to 1.</summary>
    public double BestPassRate { get; set; }

    /// <summary>The first attempt or graded submission.</summary>
    public DateTimeOffset? FirstAttemptAt { get; set; }

    /// <summary>The latest attempt or graded submission.</summary>
    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>When a graded submission first passed every case; null while not solved.</summary>
    public DateTimeOffset? SolvedAt { get; set; }

    /// <summary>The graded submission that solved it.</summary>
    public Guid? SolvedBySubmissionId { get; set; }

    /// <summary>Solved or only attempted.</summary>
    public bool Solved => SolvedAt is not null;
}
