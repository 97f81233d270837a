using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Poddle.Cli.Configuration;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 6's done-when flow against the real `poddle serve` process, grading on the real bubblewrap sandbox, on SQLite
/// and PostgreSQL: an admin makes T a teacher and S a student; T creates a class and imports a problem with public and
/// hidden cases; S joins by code, submits a wrong then a right solution with `poddle submit`; nothing S sees (CLI
/// output, every JSON answer) holds a hidden case's input or expected output; S's progress and T's class view (API and
/// CLI) show the completion; S cannot see the class's progress, export the problem, or complete it with T's submission.
/// </summary>
public sealed class LearningEndToEndTests
{
    private const string Password = "correct-horse-battery";
    private const string AdminPassword = "admin-password-for-e2e";
    private const string ProblemId = "e2e-add-two";

    // Hidden cases: numbers that appear nowhere else, so finding one in what S sees means a leak.
    private static readonly (string Stdin, string Expected, string WrongActual)[] HiddenCases =
    [
        ("8675309 2718281", "11393590", "5957028"),
        ("31415926 27182818", "58598744", "4233108"),
        ("-4444444 9999999", "5555555", "-14444443"),
    ];

    private static readonly string ProblemFile = $$"""
        id: {{ProblemId}}
        title: "Add two numbers (end-to-end)"
        ageGroup: "11-14"
        level: 1
        session: "Numbers"
        order: 99
        tags: [e2e, arithmetic]
        statement: |
          Read two whole numbers on one line and print their sum.
        starterCode: |
          a, b = map(int, input().split())
        comparison: trim
        tests:
          - { stdin: "1 2\n", expectedStdout: "3\n", hidden: false }
          - { stdin: "10 20\n", expectedStdout: "30\n", hidden: false }
          - { stdin: "-5 2\n", expectedStdout: "-3\n", hidden: false }
          - { stdin: "{{HiddenCases[0].Stdin}}\n", expectedStdout: "{{HiddenCases[0].Expected}}\n", hidden: true }
          - { stdin: "{{HiddenCases[1].Stdin}}\n", expectedStdout: "{{HiddenCases[1].Expected}}\n", hidden: true }
          - { stdin: "{{HiddenCases[2].Stdin}}\n", expectedStdout: "{{HiddenCases[2].Expected}}\n", hidden: true }
        referenceSolution: |
          a, b = map(int, input().split())
          print(a + b)
        """;

    /// <summary>Right for small non-negative first numbers only: passes public cases 1 and 2, fails 3 and every hidden one.</summary>
    private const string WrongSolution = "a, b = map(int, input().split())\nprint(a + b if 0 <= a < 1000 else a - b)\n";

    private const string RightSolution = "a, b = map(int, input().split())\nprint(a + b)\n";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TeacherProblemWithHiddenCases_StudentWrongThenRight_NothingHiddenLeaks_ProgressAndClassViewShowIt(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false);
        var root = Directory.CreateTempSubdirectory("poddle-learn-e2e-").FullName;
        var dataDir = Path.Combine(root, "data");
        var teacherConfig = Path.Combine(root, "teacher");
        var studentConfig = Path.Combine(root, "student");
        var work = Path.Combine(root, "work");
        Directory.CreateDirectory(work);
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";

        // Everything the student is shown, from the CLI and the API, to search for hidden data at the end.
        var seenByStudent = new List<string>();
        try
        {
            await using var server = PoddleProcess.Start(
                ["serve", "--urls", url, "--data-dir", dataDir],
                new Dictionary<string, string?>
                {
                    ["PODDLE_DATABASE"] = database.Setting,
                    ["PODDLE_ADMIN_PASSWORD"] = AdminPassword,
                    ["PODDLE_Auth__PasswordWorkFactor"] = "10",
                });
            using var anonymous = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
            await server.WaitUntilReadyAsync(anonymous, TimeSpan.FromSeconds(90));

            Task<CliRun> Teacher(params string[] args) => Cli(teacherConfig, null, args);
            async Task<CliRun> Student(params string[] args)
            {
                var run = await Cli(studentConfig, null, args);
                seenByStudent.Add(run.Stdout);
                seenByStudent.Add(run.Stderr);
                return run;
            }

            Task<CliRun> Cli(string configDir, string? stdin, params string[] args) => PoddleProcess.RunAsync(
                [.. args, "--server", url],
                new Dictionary<string, string?> { ["PODDLE_CONFIG_DIR"] = configDir, ["NO_COLOR"] = "1" },
                stdin,
                TimeSpan.FromSeconds(120));

            // Accounts: T and S register through the CLI; the admin makes T a teacher and S a student; then they log in.
            foreach (var (name, config) in new[] { ("tina-teacher", teacherConfig), ("sam-student", studentConfig) })
            {
                var registered = await Cli(config, Password + "\n", "register", "--username", name, "--email", $"{name}@example.test", "--password-stdin");
                Assert.True(registered.ExitCode == 0, registered.ToString());
            }

            using var admin = await SignInAsync(url, "admin", AdminPassword);
            await SetRoleAsync(admin, "tina-teacher", UserRoleName.Teacher);
            await SetRoleAsync(admin, "sam-student", UserRoleName.Student);
            foreach (var (name, config) in new[] { ("tina-teacher", teacherConfig), ("sam-student", studentConfig) })
            {
                var login = await Cli(config, Password + "\n", "login", "--username", name, "--password-stdin");
                Assert.True(login.ExitCode == 0, login.ToString());
            }

            using var teacherHttp = await SignInAsync(url, "tina-teacher", Password);
            using var studentHttp = await SignInAsync(url, "sam-student", Password);

            // T: a class, and a problem with 3 public and 3 hidden cases, imported from a problem file.
            var classRun = await Teacher("classes", "create", "7B Python", "--json");
            Assert.True(classRun.ExitCode == 0, classRun.ToString());
            var klass = JsonSerializer.Deserialize(classRun.Stdout, PoddleJsonContext.Default.ClassResponse)!;
            Assert.False(string.IsNullOrEmpty(klass.JoinCode));

            var problemPath = Path.Combine(work, "problem.yaml");
            await File.WriteAllTextAsync(problemPath, ProblemFile);
            var imported = await Teacher("problems", "import", problemPath);
            Assert.True(imported.ExitCode == 0, imported.ToString());
            Has(imported, $"Imported {ProblemId} (version 1): 3 public and 3 hidden tests.");

            // S joins by code and reads the problem: public cases only.
            var joined = await Student("classes", "join", klass.JoinCode!);
            Assert.True(joined.ExitCode == 0, joined.ToString());
            Has(joined, "Joined 7B Python (teacher tina-teacher).");

            var listed = await Student("problems", "ls", "--tag", "e2e");
            Assert.True(listed.ExitCode == 0, listed.ToString());
            Assert.Contains(listed.Stdout.Split('\n'), l => l.Contains(ProblemId, StringComparison.Ordinal) && l.Contains("3 public, 3 hidden", StringComparison.Ordinal));

            var shown = await Student("problems", "show", ProblemId);
            Assert.True(shown.ExitCode == 0, shown.ToString());
            Has(shown, "3. input \"-5 2\\n\" → output \"-3\\n\"");
            Has(shown, $"poddle submit --problem {ProblemId}");
            var shownJson = JsonSerializer.Deserialize((await Student("problems", "show", ProblemId, "--json")).Stdout, CliJsonContext.Default.ProblemWithTests)!;
            Assert.Equal([0, 1, 2], shownJson.Tests.Select(t => t.Index));
            Assert.All(shownJson.Tests, t => Assert.False(t.Hidden));

            // A wrong solution: exit 5 (TestsFailed), a per-case table; the failing public case shows expected vs actual,
            // the hidden ones only their verdict.
            var wrongPath = Path.Combine(work, "wrong.py");
            var rightPath = Path.Combine(work, "right.py");
            await File.WriteAllTextAsync(wrongPath, WrongSolution);
            await File.WriteAllTextAsync(rightPath, RightSolution);

            var wrong = await Student("submit", "--problem", ProblemId, wrongPath);
            Assert.True(wrong.ExitCode == (int)ExitCode.TestsFailed, wrong.ToString());
            var rows = wrong.Stdout.Split('\n');
            foreach (var (index, kind, result) in new[] { (1, "public", "passed"), (2, "public", "passed"), (3, "public", "FAILED"), (4, "hidden", "FAILED"), (5, "hidden", "FAILED"), (6, "hidden", "FAILED") })
            {
                Assert.Contains(rows, r => r.TrimStart().StartsWith($"{index} ", StringComparison.Ordinal) && r.Contains(kind, StringComparison.Ordinal) && r.Contains(result, StringComparison.Ordinal));
            }

            Has(wrong, "Test 3 (wrong_answer):");
            Has(wrong, "expected: \"-3\\n\"");
            Has(wrong, "got:      \"-7\\n\"");
            Assert.DoesNotContain("Test 4", wrong.Stdout, StringComparison.Ordinal);
            Has(wrong, "passed 2/6 (33.3%)");

            var wrongJson = await Student("submit", "--problem", ProblemId, wrongPath, "--json");
            Assert.Equal((int)ExitCode.TestsFailed, wrongJson.ExitCode);
            var wrongSubmission = JsonSerializer.Deserialize(wrongJson.Stdout, PoddleJsonContext.Default.SubmissionResponse)!;
            Assert.Equal(("completed", 2, 6, false), (wrongSubmission.Status, wrongSubmission.Passed, wrongSubmission.Total, wrongSubmission.AllPassed));
            Assert.All(wrongSubmission.Cases!.Where(c => c.Hidden), c =>
                Assert.Equal((false, "wrong_answer", (long?)null, (string?)null, (string?)null, (string?)null, (string?)null), (c.Passed, c.Verdict, c.TimeMs, c.Input, c.Expected, c.Actual, c.Error)));

            // Completing the problem is the server's call: not with S's failing submission, not with T's passing one.
            var teacherSubmit = await Teacher("submit", "--problem", ProblemId, rightPath, "--json");
            Assert.True(teacherSubmit.ExitCode == 0, teacherSubmit.ToString());
            var teachersPass = JsonSerializer.Deserialize(teacherSubmit.Stdout, PoddleJsonContext.Default.SubmissionResponse)!;
            var withOwnFailure = await SeeAsync(studentHttp.PostAsJsonAsync("/api/progress/complete", new CompleteProblemRequest(ProblemId, wrongSubmission.Id)));
            var withTeachers = await SeeAsync(studentHttp.PostAsJsonAsync("/api/progress/complete", new CompleteProblemRequest(ProblemId, teachersPass.Id)));
            Assert.Equal(HttpStatusCode.Conflict, withOwnFailure.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, withTeachers.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await SeeAsync(studentHttp.GetAsync($"/api/submissions/{teachersPass.Id}"))).StatusCode);
            var notYet = JsonSerializer.Deserialize((await Student("progress", "--json")).Stdout, CliJsonContext.Default.ProgressView)!;
            Assert.Equal("attempted", notYet.Problems.Single(p => p.ProblemId == ProblemId).Status);

            // The right solution: exit 0, everything passed, and the problem is solved.
            var right = await Student("submit", "--problem", ProblemId, rightPath);
            Assert.True(right.ExitCode == 0, right.ToString());
            Has(right, "passed 6/6 (100%) — solved!");

            var progress = await Student("progress");
            Assert.True(progress.ExitCode == 0, progress.ToString());
            Assert.Contains(progress.Stdout.Split('\n'), l => l.Contains(ProblemId, StringComparison.Ordinal) && l.Contains("solved", StringComparison.Ordinal) && l.Contains("100%", StringComparison.Ordinal));
            var progressJson = JsonSerializer.Deserialize((await Student("progress", "--json")).Stdout, CliJsonContext.Default.ProgressView)!;
            var mine = progressJson.Problems.Single(p => p.ProblemId == ProblemId);
            Assert.Equal(("solved", 1.0), (mine.Status, mine.BestPassRate));
            Assert.NotNull(mine.SolvedBySubmission);
            Assert.NotEqual(teachersPass.Id, mine.SolvedBySubmission);
            Assert.True(progressJson.Summary.Solved >= 1);
            Assert.Contains(progressJson.Summary.Levels, l => l.AgeGroup == "11-14" && l.Level == 1 && l.Solved == 1);

            // T's class view, through the API and the CLI, shows S's completion.
            var classView = (await teacherHttp.GetFromJsonAsync($"/api/classes/{klass.Id}/progress", PoddleJsonContext.Default.ClassProgressResponse))!;
            var sam = classView.Students.Single();
            Assert.Equal(("sam-student", 1), (sam.Username, sam.Solved));
            Assert.Equal("solved", sam.Problems.Single(p => p.ProblemId == ProblemId).Status);
            var classCli = await Teacher("classes", "progress", klass.Id.ToString());
            Assert.True(classCli.ExitCode == 0, classCli.ToString());
            Assert.Contains(classCli.Stdout.Split('\n'), l => l.Contains("sam-student", StringComparison.Ordinal) && l.Contains(ProblemId, StringComparison.Ordinal));

            // S cannot see the class's progress nor export the problem, through the API or the CLI.
            Assert.Equal(HttpStatusCode.NotFound, (await SeeAsync(studentHttp.GetAsync($"/api/classes/{klass.Id}/progress"))).StatusCode);
            var studentClassView = await Student("classes", "progress", klass.Id.ToString());
            Assert.Equal(1, studentClassView.ExitCode);
            Assert.Contains("There is no class", studentClassView.Stderr, StringComparison.Ordinal);
            var export = await SeeAsync(studentHttp.GetAsync($"/api/problems/{ProblemId}/export"));
            Assert.True(export.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, export.StatusCode.ToString());
            var studentExport = await Student("problems", "export", ProblemId);
            Assert.Equal(1, studentExport.ExitCode);
            Assert.Equal(string.Empty, studentExport.Stdout);
            var hiddenTests = await SeeAsync(studentHttp.GetAsync($"/api/problems/{ProblemId}/tests?includeHidden=true"));
            Assert.True(hiddenTests.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, hiddenTests.StatusCode.ToString());

            // The teacher, as the author, does get the hidden cases back in the export (so the needle below is real).
            var teacherExport = await Teacher("problems", "export", ProblemId);
            Assert.True(teacherExport.ExitCode == 0, teacherExport.ToString());
            Has(teacherExport, HiddenCases[0].Stdin);

            // Every JSON answer S can get about the problem, its submissions and progress.
            foreach (var path in new[]
            {
                $"/api/problems/{ProblemId}", $"/api/problems/{ProblemId}/tests", "/api/problems", "/api/problems?tag=e2e", "/api/levels/11-14",
                "/api/sessions/11-14-1-numbers", "/api/submissions", $"/api/submissions?problemId={ProblemId}", $"/api/submissions/{wrongSubmission.Id}",
                "/api/progress", "/api/progress/summary", "/api/classes", $"/api/classes/{klass.Id}",
            })
            {
                var response = await SeeAsync(studentHttp.GetAsync(path));
                Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
            }

            var all = string.Join('\n', seenByStudent);
            Assert.Contains(wrongSubmission.Id.ToString(), all, StringComparison.Ordinal);
            foreach (var (stdin, expected, wrongActual) in HiddenCases)
            {
                foreach (var needle in stdin.Split(' ').Append(expected).Append(wrongActual))
                {
                    Assert.DoesNotContain(needle, all, StringComparison.Ordinal);
                }
            }

            async Task<HttpResponseMessage> SeeAsync(Task<HttpResponseMessage> call)
            {
                var response = await call;
                seenByStudent.Add(await response.Content.ReadAsStringAsync());
                return response;
            }
        }
        finally
        {
            RegisterLoginProjectFlowTests.DeleteQuietly(root);
        }
    }

    /// <summary>The run's stdout contains <paramref name="text"/>; the whole run is shown when not.</summary>
    private static void Has(CliRun run, string text) => Assert.True(run.Stdout.Contains(text, StringComparison.Ordinal), $"'{text}' not in:{Environment.NewLine}{run}");

    private static async Task<HttpClient> SignInAsync(string url, string username, string password)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, password));
        Assert.True(login.IsSuccessStatusCode, $"login {username}: {login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        var token = (await login.Content.ReadFromJsonAsync(PoddleJsonContext.Default.TokenResponse))!.AccessToken;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task SetRoleAsync(HttpClient admin, string username, UserRoleName role)
    {
        var users = (await admin.GetFromJsonAsync("/api/admin/users?limit=100", PoddleJsonContext.Default.UserListResponse))!;
        var user = users.Users.Single(u => u.Username == username);
        using var response = await admin.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new UpdateUserAccessRequest(Role: role), PoddleJsonContext.Default.UpdateUserAccessRequest);
        Assert.True(response.IsSuccessStatusCode, $"role of {username}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
