using System.Runtime.Versioning;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Grading;

namespace Poddle.Core.Tests.Curriculum.Grading;

/// <summary>The whole shipped curriculum, graded on the real sandbox.</summary>
[Collection(SandboxGrading.Name)]
[SupportedOSPlatform("linux")]
public sealed class StarterCurriculumTests(SandboxGraderFixture fixture)
{
    /// <summary>Raised to 30 once the real problems are merged (issue 6: 30 problems in the starter set).</summary>
    private const int MinProblems = 30;

    [SandboxFact]
    public async Task EveryStarterProblem_ReferencePassesAndWrongSolutionFailsAHiddenCase()
    {
        var set = CurriculumLoader.LoadStarter();
        Assert.True(set.Problems.Count >= MinProblems, $"{set.Problems.Count} problems in the starter set; at least {MinProblems} expected");

        var failures = new List<string>();
        foreach (var problem in set.Problems)
        {
            var reference = await fixture.Grader.GradeAsync(problem, problem.ReferenceSolution!, CancellationToken.None);
            if (!reference.AllPassed)
            {
                failures.Add($"{problem.Id}: the reference solution fails " + string.Join(", ", reference.Cases.Where(c => !c.Passed).Select(Describe)));
            }

            var wrong = await fixture.Grader.GradeAsync(problem, problem.WrongSolution!, CancellationToken.None);
            if (!wrong.Cases.Any(c => c.Hidden && !c.Passed))
            {
                failures.Add($"{problem.Id}: the wrong solution passes every hidden case ({wrong.Passed}/{wrong.Total} passed)");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The grader hides hidden cases from everyone, so the author gets the test's own data for them.</summary>
    private static string Describe(CaseResult result) => result.Hidden
        ? $"hidden case {result.Index} ({result.Verdict.ToWireName()})"
        : $"case {result.Index} ({result.Verdict.ToWireName()}: input {result.Input?.Trim()}, expected {result.Expected?.Trim()}, got {result.Actual?.Trim()} {result.Error})";
}
