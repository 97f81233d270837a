using Poddle.Core.Curriculum;

namespace Poddle.Web.Components.Teach;

/// <summary>
/// What the problem form edits, as people type it; <see cref="ToDraft"/> gives the service's <see cref="ProblemDraft"/>,
/// which validates it with the rules of a problem file (the API's request body maps to the same draft).
/// </summary>
public sealed class ProblemForm
{
    public string? Id { get; set; }

    public string Title { get; set; } = string.Empty;

    public string AgeGroup { get; set; } = "11-14";

    public int Level { get; set; } = 1;

    public string Session { get; set; } = string.Empty;

    public int Order { get; set; } = 1;

    /// <summary>Comma-separated.</summary>
    public string Tags { get; set; } = string.Empty;

    public string Statement { get; set; } = string.Empty;

    public string StarterCode { get; set; } = string.Empty;

    public string Language { get; set; } = "python";

    /// <summary>"trim" or "exact".</summary>
    public string Comparison { get; set; } = "trim";

    public int? CpuMs { get; set; }

    public int? MemoryMb { get; set; }

    public string? FunctionName { get; set; }

    public List<TestRow> Tests { get; } = [new TestRow()];

    public string? ReferenceSolution { get; set; }

    public string? WrongSolution { get; set; }

    /// <summary>The form of a stored problem (its hidden cases included: only its author and admins get here).</summary>
    public static ProblemForm From(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var form = new ProblemForm
        {
            Id = problem.Id,
            Title = problem.Title,
            AgeGroup = problem.AgeGroup,
            Level = problem.Level,
            Session = problem.Session,
            Order = problem.Order,
            Tags = string.Join(", ", problem.Tags),
            Statement = problem.Statement,
            StarterCode = problem.StarterCode,
            Language = problem.Language,
            Comparison = problem.Comparison == OutputComparison.Exact ? "exact" : "trim",
            CpuMs = problem.Limits?.CpuMs,
            MemoryMb = problem.Limits?.MemoryMb,
            FunctionName = problem.FunctionName,
            ReferenceSolution = problem.ReferenceSolution,
            WrongSolution = problem.WrongSolution,
        };
        form.Tests.Clear();
        form.Tests.AddRange(problem.Tests.Select(t => new TestRow
        {
            Kind = t.Kind,
            Stdin = t.Stdin ?? string.Empty,
            ExpectedStdout = t.ExpectedStdout ?? string.Empty,
            Call = t.Call ?? string.Empty,
            Expected = t.Expected ?? string.Empty,
            Hidden = t.Hidden,
        }));
        return form;
    }

    /// <summary>The draft the service validates; empty optional fields are left out.</summary>
    public ProblemDraft ToDraft() => new(
        string.IsNullOrWhiteSpace(Id) ? null : Id.Trim(),
        Title,
        AgeGroup,
        Level,
        Session,
        Order,
        [.. Tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
        Statement,
        StarterCode,
        Language,
        Comparison,
        CpuMs is null && MemoryMb is null ? null : new ProblemLimits(CpuMs, MemoryMb),
        string.IsNullOrWhiteSpace(FunctionName) ? null : FunctionName.Trim(),
        [.. Tests.Select(t => t.Kind == TestKind.Function
            ? new TestCaseDraft(null, null, t.Call, t.Expected, t.Hidden)
            : new TestCaseDraft(t.Stdin, t.ExpectedStdout, null, null, t.Hidden))],
        string.IsNullOrWhiteSpace(ReferenceSolution) ? null : ReferenceSolution,
        string.IsNullOrWhiteSpace(WrongSolution) ? null : WrongSolution);

    /// <summary>One test case as the form edits it.</summary>
    public sealed class TestRow
    {
        public TestKind Kind { get; set; } = TestKind.Stdin;

        public string Stdin { get; set; } = string.Empty;

        public string ExpectedStdout { get; set; } = string.Empty;

        public string Call { get; set; } = string.Empty;

        public string Expected { get; set; } = string.Empty;

        public bool Hidden { get; set; }
    }
}
