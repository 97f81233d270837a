using System.Runtime.Versioning;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Curriculum.Grading;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Core.Progress;
using Poddle.Core.Tests.Curriculum.Grading;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Core.Tests.Curriculum.Submissions;

/// <summary>The grading handler on the real sandbox (bubblewrap, python3), on both databases.</summary>
[Collection(SandboxGrading.Name)]
[SupportedOSPlatform("linux")]
public sealed class GradingJobHandlerTests(SandboxGraderFixture fixture)
{
    private const string Wrong = "def add(a, b):\n    return a + b if a >= 0 else 0\n";
    private const string Right = "def add(a, b):\n    return a + b\n";

    [SandboxFact]
    public Task WrongThenRight_Sqlite_AttemptedThenSolved() => WrongThenRightAsync(DatabaseProvider.Sqlite);

    [SandboxFact]
    public Task WrongThenRight_Postgres_AttemptedThenSolved() => WrongThenRightAsync(DatabaseProvider.Postgres);

    private async Task WrongThenRightAsync(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider, fixture.Executor);
        var student = Guid.NewGuid();

        var wrong = (await harness.SubmitAsync(student, Wrong)).Value;
        Assert.True(await harness.GradeNextAsync());
        var graded = await harness.GetAsync(wrong.Id);
        var afterWrong = await ProgressOfAsync(harness, student);

        Assert.Equal(SubmissionStatus.Completed, graded.Status);
        Assert.Equal((3, 4, 0.75, false), (graded.Passed, graded.Total, graded.PassRate, graded.AllPassed));
        var result = StoredGradingResult.FromJson(graded.ResultJson)!;
        Assert.Equal("ok,ok,ok,wrong_answer", string.Join(",", result.Cases.Select(c => c.Verdict.ToWireName())));
        Assert.All(result.Cases.Where(c => c.Hidden), c => Assert.Equal((null, null, null, null, (long?)null), (c.Input, c.Expected, c.Actual, c.Error, c.TimeMs)));
        Assert.DoesNotContain(InMemoryProblemCatalog.HiddenMarkers, m => graded.ResultJson!.Contains(m, StringComparison.Ordinal));
        Assert.Equal((1, 0.75, false, (Guid?)null), (afterWrong.Attempts, afterWrong.BestPassRate, afterWrong.Solved, afterWrong.SolvedBySubmissionId));

        harness.Clock.Advance(TimeSpan.FromMinutes(5));
        var right = (await harness.SubmitAsync(student, Right)).Value;
        Assert.True(await harness.GradeNextAsync());
        var solved = await ProgressOfAsync(harness, student);

        Assert.True((await harness.GetAsync(right.Id)).AllPassed);
        Assert.Equal((2, 1.0, right.Id), (solved.Attempts, solved.BestPassRate, solved.SolvedBySubmissionId));
        Assert.Equal(harness.Clock.GetUtcNow(), solved.SolvedAt);
        Assert.Equal(afterWrong.FirstAttemptAt, solved.FirstAttemptAt);
    }

    [SandboxFact]
    public async Task Redelivered_AfterGrading_NeitherGradesNorCountsAgain()
    {
        await using var harness = await GradingHarness.CreateAsync(DatabaseProvider.Sqlite, fixture.Executor);
        var student = Guid.NewGuid();
        var submission = (await harness.SubmitAsync(student, Right)).Value;
        Assert.True(await harness.GradeNextAsync());
        var first = await harness.GetAsync(submission.Id);
        harness.Clock.Advance(TimeSpan.FromMinutes(1));

        await harness.RedeliverAsync(submission.Id);

        var again = await harness.GetAsync(submission.Id);
        Assert.Equal((first.CompletedAt, first.ResultJson), (again.CompletedAt, again.ResultJson));
        Assert.Equal(1, (await ProgressOfAsync(harness, student)).Attempts);
    }

    [SandboxFact]
    public async Task Redelivered_WhileGrading_GradesOnceMore()
    {
        // A server stopped mid-grading leaves the submission "grading"; the job's redelivery grades it from the start.
        await using var harness = await GradingHarness.CreateAsync(DatabaseProvider.Sqlite, fixture.Executor);
        var student = Guid.NewGuid();
        var submission = (await harness.SubmitAsync(student, Right)).Value;
        await using (var db = harness.Database.CreateContext())
        {
            await db.Set<Submission>().Where(s => s.Id == submission.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, SubmissionStatus.Grading));
        }

        await harness.RedeliverAsync(submission.Id);

        Assert.Equal(SubmissionStatus.Completed, (await harness.GetAsync(submission.Id)).Status);
        Assert.Equal(1, (await ProgressOfAsync(harness, student)).Attempts);
    }

    [SandboxFact]
    public async Task Stdin_HiddenCaseFailsWithStderr_KeepsNothingOfIt()
    {
        await using var harness = await GradingHarness.CreateAsync(DatabaseProvider.Sqlite, fixture.Executor);
        // Fails on the hidden input only, writing it to stderr and stdout: a leak of a hidden error or output would show it.
        const string code = "import sys\ns = input()\nif s != 'hello':\n    print(s)\n    sys.stderr.write('leak:' + s)\n    raise SystemExit(3)\nprint(s.upper())\n";
        var submission = (await harness.SubmitAsync(Guid.NewGuid(), code, problemId: "secret-shout")).Value;

        Assert.True(await harness.GradeNextAsync());

        var graded = await harness.GetAsync(submission.Id);
        var result = StoredGradingResult.FromJson(graded.ResultJson)!;
        Assert.Equal("ok,runtime_error", string.Join(",", result.Cases.Select(c => c.Verdict.ToWireName())));
        Assert.DoesNotContain("leak", graded.ResultJson, StringComparison.Ordinal);
        Assert.DoesNotContain(InMemoryProblemCatalog.HiddenMarkers, m => graded.ResultJson!.Contains(m, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task HostFailure_Throws_SubmissionFailsWithAMessageAndTheJobIsDone(DatabaseProvider provider)
    {
        var executor = new ScriptedCodeExecutor { Behaviour = _ => throw new InvalidOperationException("the sandbox is gone") };
        await using var harness = await GradingHarness.CreateAsync(provider, executor);
        var student = Guid.NewGuid();
        var submission = (await harness.SubmitAsync(student, Right)).Value;

        Assert.True(await harness.GradeNextAsync());

        var failed = await harness.GetAsync(submission.Id);
        Assert.Equal(SubmissionStatus.Failed, failed.Status);
        Assert.Contains("failed in the host", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the sandbox is gone", failed.Message, StringComparison.Ordinal);
        Assert.NotNull(failed.CompletedAt);
        Assert.Empty(await harness.WithAsync(sp => ((ProgressService)sp.GetService(typeof(ProgressService))!).ListAsync(student, CancellationToken.None)));
        await using var db = harness.Database.CreateContext();
        var job = await db.Set<Job>().SingleAsync(j => j.Kind == SubmissionService.JobKind);
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.False(await harness.GradeNextAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TwoGradesOfOneProblem_AtOnce_BothCountOnOneProgressRow(DatabaseProvider provider)
    {
        // Both handlers may find no progress row and add one: the second save's unique violation is re-applied, not lost.
        await using var harness = await GradingHarness.CreateAsync(provider);
        var student = Guid.NewGuid();
        var first = (await harness.SubmitAsync(student, Right)).Value;
        var second = (await harness.SubmitAsync(student, Right)).Value;

        var ran = await Task.WhenAll(harness.GradeNextAsync(), harness.GradeNextAsync());

        Assert.Equal([true, true], ran);
        Assert.Equal(SubmissionStatus.Completed, (await harness.GetAsync(first.Id)).Status);
        Assert.Equal(SubmissionStatus.Completed, (await harness.GetAsync(second.Id)).Status);
        Assert.Equal(2, (await ProgressOfAsync(harness, student)).Attempts);
    }

    [Fact]
    public async Task HostFailure_InternalErrorVerdict_FailsAndDoesNotCount()
    {
        var executor = new ScriptedCodeExecutor
        {
            Behaviour = r => new CodeExecutionResult("python", "3.11.2", null, new StepResult(ExecutionVerdict.InternalError, null, null, 0, 0, 0, [], [], false, false, "cgroup vanished")),
        };
        await using var harness = await GradingHarness.CreateAsync(DatabaseProvider.Sqlite, executor);
        var student = Guid.NewGuid();
        var submission = (await harness.SubmitAsync(student, Right)).Value;

        Assert.True(await harness.GradeNextAsync());

        var failed = await harness.GetAsync(submission.Id);
        Assert.Equal((SubmissionStatus.Failed, false), (failed.Status, failed.AllPassed));
        Assert.Contains("internal_error", failed.Message, StringComparison.Ordinal);
        Assert.Empty(await harness.WithAsync(sp => ((ProgressService)sp.GetService(typeof(ProgressService))!).ListAsync(student, CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task SeveralCases_EachStoredAndNotified_AsSoonAsItIsGraded(DatabaseProvider provider)
    {
        // The hidden case (the second) waits until the test has seen the first one stored while grading goes on.
        using var hiddenCase = new ManualResetEventSlim();
        var executor = new ScriptedCodeExecutor
        {
            Behaviour = r =>
            {
                var stdin = Encoding.UTF8.GetString(r.Stdin.Span);
                if (stdin.StartsWith("quiet-zebra", StringComparison.Ordinal))
                {
                    hiddenCase.Wait(TimeSpan.FromMinutes(1));
                }

                return new CodeExecutionResult("python", "3.11.2", null, ScriptedCodeExecutor.Ok(stdin.ToUpperInvariant()));
            },
        };
        await using var harness = await GradingHarness.CreateAsync(provider, executor);
        var submission = (await harness.SubmitAsync(Guid.NewGuid(), "print(input().upper())\n", problemId: "secret-shout")).Value;
        var notifier = await harness.WithAsync(sp => Task.FromResult(sp.GetRequiredService<ExecutionNotifier>()));
        var firstCase = notifier.Finished(submission.Id);

        var grading = harness.GradeNextAsync();
        Submission partial;
        Submission? waited;
        try
        {
            await firstCase.WaitAsync(TimeSpan.FromSeconds(60));
            partial = await harness.GetAsync(submission.Id);
            waited = await harness.WithAsync(sp => sp.GetRequiredService<SubmissionService>()
                .WaitForCasesAsync(submission.Id, knownCases: 0, TimeSpan.FromMinutes(1), CancellationToken.None));
        }
        finally
        {
            hiddenCase.Set();
        }

        Assert.True(await grading);
        Assert.Equal((SubmissionStatus.Grading, (int?)null), (partial.Status, partial.Passed));
        var first = Assert.Single(StoredGradingResult.FromJson(partial.ResultJson)!.Cases);
        Assert.Equal((0, true, "HELLO\n"), (first.Index, first.Passed, first.Actual));
        Assert.Equal(1, SubmissionService.GradedCases(waited!));
        var graded = await harness.GetAsync(submission.Id);
        Assert.Equal((SubmissionStatus.Completed, 2, 2), (graded.Status, graded.Passed, SubmissionService.GradedCases(graded)));
        Assert.DoesNotContain(InMemoryProblemCatalog.HiddenMarkers, m => graded.ResultJson!.Contains(m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProblemEdited_AfterSubmit_GradesAndRecordsTheCurrentVersion()
    {
        await using var harness = await GradingHarness.CreateAsync(DatabaseProvider.Sqlite);
        var submission = (await harness.SubmitAsync(Guid.NewGuid(), Right, problemId: "secret-shout")).Value;
        Assert.Equal(1, submission.ProblemVersion);
        harness.Catalog.Put(InMemoryProblemCatalog.SecretShout() with { Title = "Shout louder" });

        Assert.True(await harness.GradeNextAsync());

        Assert.Equal(2, (await harness.GetAsync(submission.Id)).ProblemVersion);
    }

    private static async Task<ProblemProgress> ProgressOfAsync(GradingHarness harness, Guid student)
    {
        await using var db = harness.Database.CreateContext();
        return await db.Set<ProblemProgress>().AsNoTracking().SingleAsync(p => p.UserId == student && p.ProblemId == "secret-add");
    }
}
