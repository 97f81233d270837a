namespace Poddle.Core.Progress;

/// <summary>The stable error codes of progress (completing problems with a submission).</summary>
public static class ProgressErrorCodes
{
    public const string SubmissionOtherProblem = "submission-other-problem";
    public const string SubmissionNotGraded = "submission-not-graded";
    public const string SubmissionNotPassed = "submission-not-passed";
}
