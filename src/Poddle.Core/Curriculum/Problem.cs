namespace Poddle.Core.Curriculum;

/// <summary>
/// One problem of the curriculum, as its YAML file describes it (docs/curriculum.md). Immutable and validated by
/// <see cref="CurriculumLoader"/>; <see cref="ProblemFileWriter"/> writes it back.
/// </summary>
/// <param name="Id">Slug, unique in the curriculum (lower-case letters, digits and dashes).</param>
/// <param name="Title">Short title.</param>
/// <param name="AgeGroup">"11-14" or "15-18" (any age group the levels define).</param>
/// <param name="Level">Level number within the age group.</param>
/// <param name="Session">One of the level's sessions.</param>
/// <param name="Order">Position within the session.</param>
/// <param name="Tags">Free tags (filtering).</param>
/// <param name="Statement">Markdown shown to the student.</param>
/// <param name="StarterCode">The code the editor starts with.</param>
/// <param name="Language">The language of the code (python).</param>
/// <param name="Comparison">How stdin tests compare the program's output with the expected one.</param>
/// <param name="Limits">Per-case limits; the executor's defaults where null.</param>
/// <param name="FunctionName">The function the function tests call; required when there are any.</param>
/// <param name="Tests">The test cases, public and hidden, in order.</param>
/// <param name="ReferenceSolution">A solution that passes every case (required in the starter set).</param>
/// <param name="WrongSolution">A plausible mistake that fails at least one hidden case (required in the starter set).</param>
public sealed record Problem(
    string Id,
    string Title,
    string AgeGroup,
    int Level,
    string Session,
    int Order,
    IReadOnlyList<string> Tags,
    string Statement,
    string StarterCode,
    string Language,
    OutputComparison Comparison,
    ProblemLimits? Limits,
    string? FunctionName,
    IReadOnlyList<TestCase> Tests,
    string? ReferenceSolution,
    string? WrongSolution);

/// <summary>How the output of a stdin test is compared with the expected output.</summary>
public enum OutputComparison
{
    /// <summary>Trailing whitespace of each line and trailing blank lines are ignored.</summary>
    Trim,

    /// <summary>Byte for byte.</summary>
    Exact,
}

/// <summary>Per-case limits of a problem.</summary>
/// <param name="CpuMs">CPU time of one case (one run for a stdin test, one call for a function test).</param>
/// <param name="MemoryMb">Memory of a run.</param>
public sealed record ProblemLimits(int? CpuMs, int? MemoryMb);

/// <summary>The two kinds of test case.</summary>
public enum TestKind
{
    /// <summary>The program runs with <see cref="TestCase.Stdin"/>; its output is compared with <see cref="TestCase.ExpectedStdout"/>.</summary>
    Stdin,

    /// <summary><see cref="TestCase.Call"/> is evaluated against the student's module; the value is compared (==) with the literal <see cref="TestCase.Expected"/>.</summary>
    Function,
}

/// <summary>
/// One test case: either stdin → expected stdout, or a function call → expected Python literal. Exactly one kind's
/// fields are set (the loader checks it).
/// </summary>
/// <param name="Stdin">Standard input of a stdin test ("" when none).</param>
/// <param name="ExpectedStdout">Expected standard output of a stdin test.</param>
/// <param name="Call">A Python expression calling the problem's function, e.g. <c>add(1, 2)</c>.</param>
/// <param name="Expected">A Python literal the call's value must equal, e.g. <c>3</c>.</param>
/// <param name="Hidden">Hidden cases are graded but never shown: not their input, expected or actual output, nor errors or timing.</param>
public sealed record TestCase(string? Stdin, string? ExpectedStdout, string? Call, string? Expected, bool Hidden)
{
    /// <summary>Function when <see cref="Call"/> is set, else stdin.</summary>
    public TestKind Kind => Call is not null ? TestKind.Function : TestKind.Stdin;

    /// <summary>A stdin test.</summary>
    public static TestCase OfStdin(string stdin, string expectedStdout, bool hidden) => new(stdin, expectedStdout, null, null, hidden);

    /// <summary>A function test.</summary>
    public static TestCase OfCall(string call, string expected, bool hidden) => new(null, null, call, expected, hidden);
}

/// <summary>A level of an age group: ordered sessions of problems and a cheatsheet.</summary>
/// <param name="AgeGroup">"11-14" or "15-18".</param>
/// <param name="Number">The level's number within the age group (1, 2, 3 ...); "level" in the file.</param>
/// <param name="Title">Short title.</param>
/// <param name="Sessions">Session names, in order.</param>
/// <param name="Cheatsheet">Markdown.</param>
public sealed record Level(string AgeGroup, int Number, string Title, IReadOnlyList<string> Sessions, string Cheatsheet);

/// <summary>A validated curriculum: its levels and its problems (ordered by age group, level, session, order).</summary>
public sealed record CurriculumSet(IReadOnlyList<Level> Levels, IReadOnlyList<Problem> Problems)
{
    /// <summary>The problem with this id, or null.</summary>
    public Problem? FindProblem(string id) => Problems.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal));
}

/// <summary>
/// A problem as someone typed it (the API's request body), not yet validated: <see cref="CurriculumLoader.ValidateDraft"/>
/// checks it with the rules of a problem file and gives the <see cref="Problem"/>.
/// </summary>
public sealed record ProblemDraft(
    string? Id,
    string? Title,
    string? AgeGroup,
    int? Level,
    string? Session,
    int? Order,
    IReadOnlyList<string>? Tags,
    string? Statement,
    string? StarterCode,
    string? Language,
    string? Comparison,
    ProblemLimits? Limits,
    string? FunctionName,
    IReadOnlyList<TestCaseDraft?>? Tests,
    string? ReferenceSolution,
    string? WrongSolution);

/// <summary>One test case of a <see cref="ProblemDraft"/>; <see cref="Hidden"/> null is an error, as in a file.</summary>
public sealed record TestCaseDraft(string? Stdin, string? ExpectedStdout, string? Call, string? Expected, bool? Hidden);
