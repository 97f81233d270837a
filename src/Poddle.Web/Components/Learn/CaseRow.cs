using Poddle.Core.Curriculum.Grading;
using Poddle.Core.Curriculum.Submissions;

namespace Poddle.Web.Components.Learn;

/// <summary>
/// One graded case as a student page shows it. A hidden case keeps its index, passed and verdict only: nothing else of
/// it enters a component's state, whatever the stored result holds (the grader already stores nothing more).
/// </summary>
public sealed record CaseRow(int Index, bool Hidden, bool Passed, string Verdict, long? TimeMs, string? Input, string? Expected, string? Actual, string? Error)
{
    public static CaseRow From(CaseResult c) =>
        c.Hidden
            ? new CaseRow(c.Index, true, c.Passed, c.Verdict.ToWireName(), null, null, null, null, null)
            : new CaseRow(c.Index, false, c.Passed, c.Verdict.ToWireName(), c.TimeMs, c.Input, c.Expected, c.Actual, c.Error);

    /// <summary>A graded submission's rows in the problem's order; none until it is graded.</summary>
    public static IReadOnlyList<CaseRow> Of(Submission submission) =>
        StoredGradingResult.FromJson(submission.ResultJson) is { } result ? [.. result.Cases.OrderBy(c => c.Index).Select(From)] : [];
}
