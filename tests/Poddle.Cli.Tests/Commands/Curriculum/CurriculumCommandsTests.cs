using System.Text.Json;
using Poddle.Cli.Configuration;
using Poddle.Contracts;

namespace Poddle.Cli.Tests.Commands.Curriculum;

/// <summary>`poddle problems`, `progress` and `classes` against the scripted API: what is shown, what is sent, and the messages.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (IAsyncLifetime).")]
public sealed class CurriculumCommandsTests : IAsyncLifetime
{
    private FakeCurriculumApi _api = null!;
    private CliRunner _cli = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeCurriculumApi.StartAsync();
        _cli = new CliRunner(_api.BaseAddress);
        _cli.Variables[CliEnvironment.TokenVariable] = FakeCurriculumApi.Token;
        _dir = Directory.CreateTempSubdirectory("poddle-learn-").FullName;
        _cli.WorkingDirectory = _dir;
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        Directory.Delete(_dir, recursive: true);
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task ProblemsLs_TableWithTestsAndYourStatus_FiltersInTheQuery_AndJson()
    {
        _api.AddProblem("add-two", "Add two numbers", publicTests: 3, hiddenTests: 4);
        _api.AddProblem("loops", "Count to ten", level: 2);
        _api.Progress.Add(new ProblemProgressResponse("add-two", "solved", 2, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, Guid.NewGuid()));

        var table = await _cli.RunAsync("problems", "ls");
        var filtered = await _cli.RunAsync("problems", "ls", "--level", "2", "--age-group", "11-14", "--tag", "for loops", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("ID", StringComparison.Ordinal) && l.Contains("SESSION", StringComparison.Ordinal) && l.Contains("STATUS", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("add-two", StringComparison.Ordinal) && l.Contains("3 public, 4 hidden", StringComparison.Ordinal) && l.Contains("solved", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("loops", StringComparison.Ordinal) && l.Contains("Count to ten", StringComparison.Ordinal) && !l.Contains("solved", StringComparison.Ordinal));
        Assert.Contains("poddle problems show ID", table.Stdout, StringComparison.Ordinal);

        Assert.True(filtered.ExitCode == 0, filtered.ToString());
        Assert.Equal(2, JsonSerializer.Deserialize(filtered.Stdout, PoddleJsonContext.Default.IReadOnlyListProblemSummaryResponse)!.Count);
        Assert.Equal("?level=2&ageGroup=11-14&tag=for%20loops", _api.RequestsTo("GET", "/api/problems").Last().Query);
    }

    [Fact]
    public async Task ProblemsShow_StatementStarterCodePublicTests_AndTheSubmitHint()
    {
        _api.AddProblem("add-two", "Add two numbers", publicTests: 2, hiddenTests: 3);
        _api.Tests["add-two"].Add(new TestCaseResponse(2, "function", false, null, null, "add(1, 2)", "3"));

        var run = await _cli.RunAsync("problems", "show", "add-two");
        var json = await _cli.RunAsync("problems", "show", "add-two", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Add two numbers (add-two, version 1)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Ages 11-14 · level 1 · Numbers · python · arithmetic", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Read two numbers and print their sum.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("a, b = input().split()", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Public tests (2; and 3 hidden ones that are not shown)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("2. input \"1 1\\n\" → output \"2\\n\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("3. add(1, 2) → 3", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("poddle submit --problem add-two solution.py", run.Stdout, StringComparison.Ordinal);

        var shown = JsonSerializer.Deserialize(json.Stdout, CliJsonContext.Default.ProblemWithTests)!;
        Assert.Equal("add-two", shown.Problem.Id);
        Assert.Equal(3, shown.Tests.Count);
        Assert.DoesNotContain(_api.Requests, r => r.Query.Contains("includeHidden", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProblemsShow_Unknown_SaysToList()
    {
        var run = await _cli.RunAsync("problems", "show", "nope");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: There is no problem 'nope'. Run `poddle problems ls` to see the problems and their ids.", run.Stderr.Trim());
    }

    [Fact]
    public async Task ProblemsExport_ToStdoutAndToAFile_AndImportPostsTheFileAsYaml()
    {
        _api.AddProblem("add-two", "Add two numbers");
        const string Yaml = "id: add-two\ntitle: \"Add two numbers\"\n";
        _api.Exports["add-two"] = Yaml;

        var toStdout = await _cli.RunAsync("problems", "export", "add-two");
        var toFile = await _cli.RunAsync("problems", "export", "add-two", "-o", "add.yaml");
        var notMine = await _cli.RunAsync("problems", "export", "other");
        var imported = await _cli.RunAsync("problems", "import", "add.yaml");
        var missing = await _cli.RunAsync("problems", "import", "missing.yaml");

        Assert.True(toStdout.ExitCode == 0, toStdout.ToString());
        Assert.Equal(Yaml, toStdout.Stdout);
        Assert.Contains("application/yaml", _api.RequestsTo("GET", "/api/problems/add-two/export").First().Accept, StringComparison.Ordinal);
        Assert.True(toFile.ExitCode == 0, toFile.ToString());
        Assert.Equal(Yaml, File.ReadAllText(Path.Combine(_dir, "add.yaml")));
        Assert.Contains("poddle problems import add.yaml", toFile.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, notMine.ExitCode);
        Assert.Contains("only its author and admins can", notMine.Stderr, StringComparison.Ordinal);

        Assert.True(imported.ExitCode == 0, imported.ToString());
        Assert.Contains("Imported imported (version 1): 3 public and 4 hidden tests.", imported.Stdout, StringComparison.Ordinal);
        var sent = _api.RequestsTo("POST", "/api/problems/import").Single();
        Assert.StartsWith("application/yaml", sent.ContentType, StringComparison.Ordinal);
        Assert.Equal(Yaml, sent.Body);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("There is no file", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_PerLevelAndPerProblem_AndJson()
    {
        var now = DateTimeOffset.UtcNow;
        _api.Summary = new ProgressSummaryResponse(
            [new LevelProgressResponse("11-14", 1, "First steps", 5, 2, 3, 2, now.AddHours(-3)), new LevelProgressResponse("11-14", 2, "Loops", 5, 0, 0, 0, null)],
            2, 3, 2, now.AddHours(-3));
        _api.Progress.Add(new ProblemProgressResponse("add-two", "solved", 3, 1, now.AddDays(-1), now.AddHours(-3), now.AddHours(-3), Guid.NewGuid()));
        _api.Progress.Add(new ProblemProgressResponse("loops", "attempted", 1, 0.5, now.AddDays(-1), now.AddDays(-1), null, null));

        var run = await _cli.RunAsync("progress");
        var json = await _cli.RunAsync("progress", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Contains("First steps", StringComparison.Ordinal) && l.Contains("2/5", StringComparison.Ordinal) && l.Contains("2 days", StringComparison.Ordinal) && l.Contains("3h ago", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Loops", StringComparison.Ordinal) && l.Contains("0/5", StringComparison.Ordinal) && l.Contains("never", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("add-two", StringComparison.Ordinal) && l.Contains("solved", StringComparison.Ordinal) && l.Contains("100%", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("loops", StringComparison.Ordinal) && l.Contains("attempted", StringComparison.Ordinal) && l.Contains("50%", StringComparison.Ordinal));
        Assert.Contains("Solved 2, attempted 3; streak 2 days", run.Stdout, StringComparison.Ordinal);

        var view = JsonSerializer.Deserialize(json.Stdout, CliJsonContext.Default.ProgressView)!;
        Assert.Equal(2, view.Summary.Solved);
        Assert.Equal(["add-two", "loops"], view.Problems.Select(p => p.ProblemId));
    }

    [Fact]
    public async Task Classes_CreateListJoinProgress_AndTheirMessages()
    {
        var created = await _cli.RunAsync("classes", "create", "7B Python");
        var listed = await _cli.RunAsync("classes", "ls");
        var joined = await _cli.RunAsync("classes", "join", "JOIN-1234");
        var badCode = await _cli.RunAsync("classes", "join", "WRONG");
        var klass = _api.Classes.Single();
        _api.ClassProgress[klass.Id] = new ClassProgressResponse(klass.Id, klass.Name, [
            new StudentProgressResponse(Guid.NewGuid(), "sam", "Sam", 1, 2, 1, DateTimeOffset.UtcNow.AddMinutes(-5), [
                new ProblemProgressResponse("add-two", "solved", 2, 1, null, null, DateTimeOffset.UtcNow, Guid.NewGuid()),
                new ProblemProgressResponse("loops", "attempted", 1, 0.2, null, null, null, null)]),
        ]);
        var byId = await _cli.RunAsync("classes", "progress", klass.Id.ToString());
        var byName = await _cli.RunAsync("classes", "progress", "7B Python", "--json");
        var unknown = await _cli.RunAsync("classes", "progress", Guid.NewGuid().ToString());

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("Join code: JOIN-1234. Students join with `poddle classes join JOIN-1234`", created.Stdout, StringComparison.Ordinal);
        Assert.Contains(listed.Stdout.Split('\n'), l => l.Contains("7B Python", StringComparison.Ordinal) && l.Contains("JOIN-1234", StringComparison.Ordinal));
        Assert.Contains("Joined 7B Python (teacher teacher).", joined.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, badCode.ExitCode);
        Assert.Contains("No class has the code 'WRONG'", badCode.Stderr, StringComparison.Ordinal);

        Assert.True(byId.ExitCode == 0, byId.ToString());
        Assert.Contains(byId.Stdout.Split('\n'), l => l.Contains("sam", StringComparison.Ordinal) && l.Contains("5m ago", StringComparison.Ordinal) && l.Contains("add-two", StringComparison.Ordinal) && !l.Contains("loops", StringComparison.Ordinal));
        Assert.Equal("sam", JsonSerializer.Deserialize(byName.Stdout, PoddleJsonContext.Default.ClassProgressResponse)!.Students.Single().Username);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Run `poddle classes ls`", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotLoggedIn_SaysToLogIn()
    {
        _cli.Variables.Remove(CliEnvironment.TokenVariable);

        var run = await _cli.RunAsync("progress");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("poddle login", run.Stderr, StringComparison.Ordinal);
    }
}
