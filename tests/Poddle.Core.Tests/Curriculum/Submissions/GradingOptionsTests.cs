using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Executions;

namespace Poddle.Core.Tests.Curriculum.Submissions;

public sealed class GradingOptionsTests
{
    [Fact]
    public void Defaults_AreValidAndGradeWithFewerWorkersThanPlainRuns()
    {
        var grading = new GradingOptions();

        Assert.True(new GradingOptionsValidator().Validate(null, grading).Succeeded);
        Assert.InRange(grading.Concurrency, 1, new ExecutionOptions().Concurrency - 1);
    }

    [Fact]
    public void Validate_BadValues_NameEveryKey()
    {
        var result = new GradingOptionsValidator().Validate(null, new GradingOptions
        {
            Concurrency = -1,
            MaxParallelRuns = 0,
            MaxQueueDepth = 0,
            WaitTimeout = TimeSpan.FromMinutes(11),
        });

        Assert.False(result.Succeeded);
        foreach (var key in new[] { "Grading:Concurrency", "Grading:MaxParallelRuns", "Grading:MaxQueueDepth", "Grading:WaitTimeout" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }
}
