namespace Poddle.Core.Curriculum;

/// <summary>The stable error codes of problems and their authoring.</summary>
public static class CurriculumErrorCodes
{
    public const string ProblemExists = "problem-exists";
    public const string ProblemChanged = "problem-changed";
    public const string NotYourProblem = "not-your-problem";
    /// <summary>A reference solution fails a case (the API answers 422, not 400).</summary>
    public const string ReferenceSolutionFailed = "reference-solution-failed";
    public const string GraderUnavailable = "grader-unavailable";
}
