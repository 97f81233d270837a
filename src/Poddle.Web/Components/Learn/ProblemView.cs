using Poddle.Core.Curriculum;

namespace Poddle.Web.Components.Learn;

/// <summary>
/// What the problem page keeps of a problem: the statement, the starter code, the languages it can be solved in, and
/// the public examples. Built from the public cases alone, so no hidden case nor solution is held by the circuit.
/// </summary>
public sealed record ProblemView(
    string Id,
    string Title,
    string Statement,
    string StarterCode,
    string Language,
    IReadOnlyList<string> Languages,
    IReadOnlyList<ExampleView> Examples,
    int? CpuMs,
    int? MemoryMb)
{
    public static ProblemView From(StoredProblemView stored, IReadOnlyList<(int Index, TestCase Case)> publicTests, IReadOnlyList<string> languages)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var p = stored.Problem;
        return new ProblemView(
            p.Id,
            p.Title,
            p.Statement,
            p.StarterCode,
            p.Language,
            languages,
            [.. publicTests.Where(t => !t.Case.Hidden).Select(t => t.Case.Kind == TestKind.Function
                ? new ExampleView(t.Case.Call ?? string.Empty, t.Case.Expected ?? string.Empty, true)
                : new ExampleView(t.Case.Stdin ?? string.Empty, t.Case.ExpectedStdout ?? string.Empty, false))],
            p.Limits?.CpuMs,
            p.Limits?.MemoryMb);
    }
}
