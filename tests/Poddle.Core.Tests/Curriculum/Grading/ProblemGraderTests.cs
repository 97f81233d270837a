using System.Text;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Grading;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Core.Tests.Curriculum.Grading;

/// <summary>The grader on a scripted executor: what reaches a run, and what a hidden case's result may hold.</summary>
public sealed class ProblemGraderTests
{
    [Fact]
    public async Task Grade_HiddenStdinCaseThatFails_KeepsOnlyPassedAndVerdict()
    {
        var executor = new ScriptedCodeExecutor
        {
            Behaviour = request =>
            {
                var stdin = Encoding.UTF8.GetString(request.Stdin.Span);
                var run = new StepResult(ExecutionVerdict.RuntimeError, 1, null, 5, 7, 1_000, Encoding.UTF8.GetBytes("out " + stdin), Encoding.UTF8.GetBytes("Traceback: " + stdin), false, false);
                return new CodeExecutionResult("python", "3.11.2", null, run);
            },
        };
        var problem = Problems.Stdin(OutputComparison.Trim, TestCase.OfStdin("public-in", "x", false), TestCase.OfStdin("hidden-in", "y", true));

        var result = await new ProblemGrader(executor).GradeAsync(problem, "code", CancellationToken.None);

        Assert.Equal(new CaseResult(1, true, false, GradingVerdict.RuntimeError, null, null, null, null, null), result.Cases[1]);
        var shown = result.Cases[0];
        Assert.Equal(("public-in", "x", "out public-in", "Traceback: public-in", 7L), (shown.Input, shown.Expected, shown.Actual, shown.Error, shown.TimeMs));
        Assert.Equal((0, 2, 0.0), (result.Passed, result.Total, result.PassRate));
    }

    [Fact]
    public async Task Grade_FunctionCases_PublicAndHiddenNeverShareARun()
    {
        var executor = new ScriptedCodeExecutor { Behaviour = _ => new CodeExecutionResult("python", "3.11.2", null, ScriptedCodeExecutor.Ok(string.Empty)) };
        var problem = Problems.Function(
            "f",
            TestCase.OfCall("f('PUBLIC-1')", "1", false),
            TestCase.OfCall("f('HIDDEN-1')", "1", true),
            TestCase.OfCall("f('PUBLIC-2')", "1", false),
            TestCase.OfCall("f('HIDDEN-2')", "1", true));

        var result = await new ProblemGrader(executor).GradeAsync(problem, "def f(x): return 1", CancellationToken.None);

        // The scripted run printed no result lines: every case failed, none was dropped.
        Assert.Equal(4, result.Total);
        Assert.All(result.Cases, c => Assert.False(c.Passed));
        var inputs = executor.Requests.Select(r => Encoding.UTF8.GetString(r.Stdin.Span)).ToList();
        Assert.Equal(2, inputs.Count);
        Assert.Single(inputs, i => i.Contains("PUBLIC-1", StringComparison.Ordinal) && i.Contains("PUBLIC-2", StringComparison.Ordinal) && !i.Contains("HIDDEN", StringComparison.Ordinal));
        Assert.Single(inputs, i => i.Contains("HIDDEN-1", StringComparison.Ordinal) && i.Contains("HIDDEN-2", StringComparison.Ordinal) && !i.Contains("PUBLIC", StringComparison.Ordinal));
        // Neither the cases nor the token are in a file the student's code could read.
        Assert.All(executor.Requests, r => Assert.DoesNotContain("PUBLIC", string.Concat(r.Files.Select(f => Encoding.UTF8.GetString(f.Content.Span))), StringComparison.Ordinal));
        Assert.All(executor.Requests, r => Assert.Equal(["main.py", "solution.py"], r.Files.Select(f => f.Name)));
    }

    [Fact]
    public async Task Grade_CodeOverTheSizeLimit_IsRefusedWithoutRunning()
    {
        var executor = new ScriptedCodeExecutor();
        var problem = Problems.Stdin(OutputComparison.Trim, TestCase.OfStdin("1", "1", false));

        await Assert.ThrowsAsync<ArgumentException>(() => new ProblemGrader(executor).GradeAsync(problem, new string('#', CurriculumLoader.MaxCodeBytes + 1), CancellationToken.None));

        Assert.Empty(executor.Requests);
    }
}
