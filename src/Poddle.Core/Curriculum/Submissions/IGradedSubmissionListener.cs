namespace Poddle.Core.Curriculum.Submissions;

/// <summary>
/// What a graded submission changes outside grading (a learner's progress), applied by <see cref="GradingJobHandler"/> in
/// the same unit of work as the grade. Owned by submissions and implemented by Poddle.Core.Progress, so grading does not
/// depend on progress.
/// </summary>
public interface IGradedSubmissionListener
{
    /// <summary>Records <paramref name="submission"/>'s grade on the tracked context; the caller saves, with the submission.</summary>
    Task ApplyGradedAsync(Submission submission, DateTimeOffset gradedAt, CancellationToken cancellationToken);
}
