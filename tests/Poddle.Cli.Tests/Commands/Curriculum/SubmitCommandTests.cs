using System.Text.Json;
using Poddle.Cli.Commands.Curriculum;
using Poddle.Contracts;

namespace Poddle.Cli.Tests.Commands.Curriculum;

/// <summary>`poddle submit` against the scripted API: the table, the exit codes, waiting, and the failures it explains.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (IAsyncLifetime).")]
public sealed class SubmitCommandTests : IAsyncLifetime
{
    private FakeCurriculumApi _api = null!;
    private CliRunner _cli = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeCurriculumApi.StartAsync();
        _api.AddProblem("add-two", "Add two numbers");
        _cli = new CliRunner(_api.BaseAddress);
        _cli.Variables[CliEnvironment.TokenVariable] = FakeCurriculumApi.Token;
        _dir = Directory.CreateTempSubdirectory("poddle-submit-").FullName;
        _cli.WorkingDirectory = _dir;
        File.WriteAllText(Path.Combine(_dir, "solution.py"), "a, b = map(int, input().split())\nprint(a + b)\n");
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        Directory.Delete(_dir, recursive: true);
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task AllPass_ExitsZero_WithAPerCaseTableAndTheTotals_AndSendsTheFileWithWait()
    {
        _api.Grades.Add(FakeCurriculumApi.Graded(
            "add-two",
            new GradedCaseResponse(0, false, true, "ok", 31, "1 2\n", "3\n", "3\n", null),
            new GradedCaseResponse(1, true, true, "ok", null, null, null, null, null)));

        var run = await _cli.RunAsync("submit", "--problem", "add-two", "solution.py");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains('#') && l.Contains("TEST", StringComparison.Ordinal) && l.Contains("VERDICT", StringComparison.Ordinal) && l.Contains("TIME", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("public", StringComparison.Ordinal) && l.Contains("passed", StringComparison.Ordinal) && l.Contains("31 ms", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("hidden", StringComparison.Ordinal) && l.Contains("passed", StringComparison.Ordinal));
        Assert.Contains("passed 2/2 (100%) — solved!", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("poddle progress", run.Stdout, StringComparison.Ordinal);

        var request = _api.RequestsTo("POST", "/api/execution/submit/grade").Single();
        Assert.Equal("?wait=true", request.Query);
        var body = JsonSerializer.Deserialize(request.Body, PoddleJsonContext.Default.GradeSubmissionRequest)!;
        Assert.Equal("add-two", body.ProblemId);
        Assert.Equal("a, b = map(int, input().split())\nprint(a + b)\n", body.Code);
        Assert.Null(body.Language);
    }

    [Fact]
    public async Task SomeFail_ExitsTestsFailed_ShowsExpectedAndActualOfFailingPublicCases_AndOnlyTheVerdictOfHiddenOnes()
    {
        _api.Grades.Add(FakeCurriculumApi.Graded(
            "add-two",
            new GradedCaseResponse(0, false, true, "ok", 20, "1 2\n", "3\n", "3\n", null),
            new GradedCaseResponse(1, false, false, "wrong_answer", 22, "10 -3\n", "7\n", "13\n", null),
            new GradedCaseResponse(2, false, false, "runtime_error", 25, "x y\n", "?\n", "", "Traceback (most recent call last):\n  File \"solution.py\", line 1\nValueError: invalid literal for int() with base 10: 'x'\n"),
            new GradedCaseResponse(3, true, false, "wrong_answer", null, null, null, null, null)));

        var run = await _cli.RunAsync("submit", "--problem", "add-two", "solution.py", "--lang", "python");

        Assert.True(run.ExitCode == (int)ExitCode.TestsFailed, run.ToString());
        Assert.Equal(5, run.ExitCode);
        Assert.Contains("Test 2 (wrong_answer):", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("expected: \"7\\n\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("got:      \"13\\n\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("error:    ValueError: invalid literal for int() with base 10: 'x'", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Test 4", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Hidden tests show only their verdict", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("passed 1/4 (25%)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("poddle submit --problem add-two solution.py", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("python", JsonSerializer.Deserialize(_api.RequestsTo("POST", "/api/execution/submit/grade").Single().Body, PoddleJsonContext.Default.GradeSubmissionRequest)!.Language);
    }

    [Fact]
    public async Task Json_PrintsTheSubmissionAlone_AndStillExitsByTheResult()
    {
        var graded = FakeCurriculumApi.Graded("add-two", new GradedCaseResponse(0, true, false, "time_limit_exceeded", null, null, null, null, null));
        _api.Grades.Add(graded);

        var run = await _cli.RunAsync("submit", "--problem", "add-two", "solution.py", "--json");

        Assert.Equal((int)ExitCode.TestsFailed, run.ExitCode);
        var parsed = JsonSerializer.Deserialize(run.Stdout, PoddleJsonContext.Default.SubmissionResponse)!;
        Assert.Equal(graded.Id, parsed.Id);
        Assert.Equal("time_limit_exceeded", parsed.Cases!.Single().Verdict);
        Assert.DoesNotContain("passed 0/1", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queued_PollsTheSubmission_SayingQueuedThenGrading_UntilGraded()
    {
        var id = Guid.NewGuid();
        _api.Grades.Add(FakeCurriculumApi.Pending(id, "add-two", "queued"));
        _api.Grades.Add(FakeCurriculumApi.Pending(id, "add-two", "queued"));
        _api.Grades.Add(FakeCurriculumApi.Pending(id, "add-two", "grading"));
        _api.Grades.Add(FakeCurriculumApi.Graded("add-two", new GradedCaseResponse(0, false, true, "ok", 5, "", "", "", null)) with { Id = id });

        var run = await _cli.RunAsync("submit", "--problem", "add-two", "solution.py");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["Queued for grading…", "Grading…"], run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(3, _api.RequestsTo("GET", $"/api/submissions/{id}").Count());
    }

    [Fact]
    public async Task NotGradedWithinTimeout_ExitsTimeout_NamingTheSubmission()
    {
        var id = Guid.NewGuid();
        _api.Grades.Add(FakeCurriculumApi.Pending(id, "add-two", "grading"));

        var run = await _cli.RunAsync("submit", "--problem", "add-two", "solution.py", "--timeout", "1s");

        Assert.Equal((int)ExitCode.Timeout, run.ExitCode);
        Assert.Contains($"Not graded within 1s (still grading). See the result later with the API: GET /api/submissions/{id}", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostFailedToGrade_ExitsError_SayingItIsNotTheCode()
    {
        _api.Grades.Add(FakeCurriculumApi.Pending(Guid.NewGuid(), "add-two", "failed") with { Message = "sandbox unavailable" });

        var run = await _cli.RunAsync("submit", "--problem", "add-two", "solution.py");

        Assert.Equal((int)ExitCode.Error, run.ExitCode);
        Assert.Contains("could not grade this submission (failed): sandbox unavailable", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownProblem_SaysToListThem()
    {
        var run = await _cli.RunAsync("submit", "--problem", "no-such", "solution.py");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("There is no problem 'no-such'. Run `poddle problems ls`", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFile_DirectoryAndHugeFile_AreRefusedBeforeAnythingIsSent()
    {
        var missing = await _cli.RunAsync("submit", "--problem", "add-two", "nope.py");
        var directory = await _cli.RunAsync("submit", "--problem", "add-two", _dir);
        var huge = Path.Combine(_dir, "huge.py");
        using (var stream = File.Create(huge))
        {
            stream.SetLength(SubmitCommand.MaxFileBytes + 1);
        }

        var tooLarge = await _cli.RunAsync("submit", "--problem", "add-two", "huge.py");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"There is no file '{Path.Combine(_dir, "nope.py")}'", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("is a directory", directory.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, tooLarge.ExitCode);
        Assert.Contains("a solution may be at most 16777216 bytes", tooLarge.Stderr, StringComparison.Ordinal);
        Assert.Empty(_api.RequestsTo("POST", "/api/execution/submit/grade"));
    }

    [Fact]
    public async Task ServerSaysTooLarge_SaysToShortenIt()
    {
        _api.GradeFailureStatus = 413;

        var run = await _cli.RunAsync("submit", "--problem", "add-two", "solution.py");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is too large for the server: Code is over 65536 bytes.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoProblemOption_IsAUsageError()
    {
        var run = await _cli.RunAsync("submit", "solution.py");

        Assert.Equal((int)ExitCode.Usage, run.ExitCode);
        Assert.Contains("--problem", run.Stderr, StringComparison.Ordinal);
    }
}
