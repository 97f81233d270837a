namespace Poddle.Core.Curriculum.Grading;

/// <summary>The verdict of one graded case; the API writes it in snake_case (ok, wrong_answer ...).</summary>
public enum GradingVerdict
{
    /// <summary>The case passed.</summary>
    Ok,

    /// <summary>The program ran but its output (or the call's value) is not the expected one.</summary>
    WrongAnswer,

    /// <summary>The code does not compile (for Python: it does not parse, a SyntaxError).</summary>
    CompileError,

    /// <summary>The program failed or the call raised an exception.</summary>
    RuntimeError,

    /// <summary>Over the problem's CPU or wall time.</summary>
    TimeLimitExceeded,

    /// <summary>Over the problem's memory.</summary>
    MemoryLimitExceeded,

    /// <summary>Wrote more output than the executor keeps.</summary>
    OutputLimitExceeded,

    /// <summary>The host failed, not the code (the case counts as not passed).</summary>
    InternalError,
}

/// <summary>Wire names of <see cref="GradingVerdict"/>.</summary>
public static class GradingVerdictNames
{
    /// <summary>The snake_case name the API uses.</summary>
    public static string ToWireName(this GradingVerdict verdict) => verdict switch
    {
        GradingVerdict.Ok => "ok",
        GradingVerdict.WrongAnswer => "wrong_answer",
        GradingVerdict.CompileError => "compile_error",
        GradingVerdict.RuntimeError => "runtime_error",
        GradingVerdict.TimeLimitExceeded => "time_limit_exceeded",
        GradingVerdict.MemoryLimitExceeded => "memory_limit_exceeded",
        GradingVerdict.OutputLimitExceeded => "output_limit_exceeded",
        GradingVerdict.InternalError => "internal_error",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };
}

/// <summary>
/// The result of grading a submission: totals and one entry per case, in the problem's order. Shaped like the design's
/// grading response (passed, total, passRate, cases[]).
/// </summary>
/// <param name="ProblemId">The problem graded.</param>
/// <param name="Passed">Cases passed.</param>
/// <param name="Total">Cases in all (public and hidden).</param>
/// <param name="PassRate">Passed / Total, from 0 to 1 (0 when there are no cases).</param>
/// <param name="Cases">Each case's result, by index.</param>
public sealed record GradingResult(string ProblemId, int Passed, int Total, double PassRate, IReadOnlyList<CaseResult> Cases)
{
    /// <summary>Every case passed: the only result that completes a problem.</summary>
    public bool AllPassed => Total > 0 && Passed == Total;

    /// <summary>Totals from the cases.</summary>
    public static GradingResult Of(string problemId, IReadOnlyList<CaseResult> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var passed = cases.Count(c => c.Passed);
        return new GradingResult(problemId, passed, cases.Count, cases.Count == 0 ? 0 : Math.Round((double)passed / cases.Count, 4), cases);
    }
}

/// <summary>
/// One case's result. A hidden case carries only <see cref="Index"/>, <see cref="Hidden"/>, <see cref="Passed"/> and
/// <see cref="Verdict"/>: its input, expected and actual output, error and timing are null, so nothing of it can be
/// read back (<see cref="ForHidden"/> is the only way to make one).
/// </summary>
/// <param name="Index">Position in the problem's tests (0-based).</param>
/// <param name="Hidden">A hidden case.</param>
/// <param name="Passed">The case passed.</param>
/// <param name="Verdict">What happened.</param>
/// <param name="TimeMs">Wall time of the run (stdin test) or of the call (function test); null for hidden cases.</param>
/// <param name="Input">The stdin, or the call; null for hidden cases.</param>
/// <param name="Expected">The expected stdout, or the expected literal; null for hidden cases.</param>
/// <param name="Actual">The program's stdout, or the repr of the call's value (truncated); null for hidden cases.</param>
/// <param name="Error">The error (stderr, exception), truncated; null when none and for hidden cases.</param>
public sealed record CaseResult(
    int Index,
    bool Hidden,
    bool Passed,
    GradingVerdict Verdict,
    long? TimeMs,
    string? Input,
    string? Expected,
    string? Actual,
    string? Error)
{
    /// <summary>A public case's result.</summary>
    public static CaseResult ForPublic(int index, GradingVerdict verdict, long timeMs, string input, string expected, string? actual, string? error) =>
        new(index, false, verdict == GradingVerdict.Ok, verdict, timeMs, Truncate(input), Truncate(expected), Truncate(actual), Truncate(error));

    /// <summary>A hidden case's result: passed and verdict, nothing else.</summary>
    public static CaseResult ForHidden(int index, GradingVerdict verdict) =>
        new(index, true, verdict == GradingVerdict.Ok, verdict, null, null, null, null, null);

    /// <summary>Most characters of a shown text field.</summary>
    public const int MaxShownChars = 4096;

    private static string? Truncate(string? text) =>
        text is null || text.Length <= MaxShownChars ? text : string.Concat(text.AsSpan(0, MaxShownChars), "\n… (truncated)");
}
