using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Client.Tests;

/// <summary>
/// The learning platform's client methods against the real server (in process, SQLite, the real sandbox grading): every
/// path, query and body the client sends is one the server answers, and its refusals come back as PoddleApiException.
/// </summary>
public sealed class CurriculumClientTests
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task ContentReads_OnTheStarterCurriculum_AndRefusals()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var http = PoddleClient.CreateHttpClient(server.BaseAddress);
        var member = await SignUpAsync(new PoddleClient(http), "reader");

        var all = await member.ListProblemsAsync();
        var firstLevel = await member.ListProblemsAsync(level: 1, ageGroup: "11-14");
        var tag = all.SelectMany(p => p.Tags).GroupBy(t => t, StringComparer.Ordinal).OrderByDescending(g => g.Count()).First().Key;
        var tagged = await member.ListProblemsAsync(tag: tag);
        var problem = await member.GetProblemAsync(firstLevel[0].Id);
        var tests = await member.GetProblemTestsAsync(problem.Id);
        var levels = await member.GetLevelsAsync("11-14");
        var session = await member.GetSessionAsync(problem.SessionId);
        var cheatsheet = await member.GetCheatsheetAsync("11-14", 1);

        Assert.True(all.Count >= 30, $"{all.Count} problems");
        Assert.NotEmpty(firstLevel);
        Assert.All(firstLevel, p => Assert.Equal(("11-14", 1), (p.AgeGroup, p.Level)));
        Assert.True(firstLevel.Count < all.Count);
        Assert.NotEmpty(tagged);
        Assert.All(tagged, p => Assert.Contains(tag, p.Tags));
        Assert.False(string.IsNullOrWhiteSpace(problem.Statement));
        Assert.Equal(problem.PublicTests, tests.Count);
        Assert.All(tests, t => Assert.False(t.Hidden));
        Assert.True(levels.Count >= 3);
        Assert.Contains(session.Problems, p => p.Id == problem.Id);
        Assert.False(string.IsNullOrWhiteSpace(cheatsheet.Markdown));

        Assert.Equal(404, (await Assert.ThrowsAsync<PoddleApiException>(() => member.GetProblemAsync("no-such-problem"))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<PoddleApiException>(() => member.GetSubmissionAsync(Guid.NewGuid()))).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<PoddleApiException>(() => member.CreateProblemAsync(new ProblemWriteRequest(Title: "Mine")))).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<PoddleApiException>(() => member.ImportProblemAsync("id: mine\n"))).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<PoddleApiException>(() => member.CreateClassAsync(new CreateClassRequest("7B")))).Status);
        var hidden = await Assert.ThrowsAsync<PoddleApiException>(() => member.GetProblemTestsAsync(problem.Id, includeHidden: true));
        Assert.True(hidden.Status is 403 or 404, hidden.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TeacherWritesProblems_StudentGradesAndProgresses_InAClass()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var http = PoddleClient.CreateHttpClient(server.BaseAddress);
        var anonymous = new PoddleClient(http);
        var (adminHttp, _) = await server.SignInAdminAsync();
        using var adminClient = adminHttp;
        var teacher = await SignUpAsync(anonymous, "teacher", adminClient, UserRoleName.Teacher);
        var student = await SignUpAsync(anonymous, "student", adminClient, UserRoleName.Student);

        // Problems: create, a new version, versions, hidden tests for the author, export, import, archive.
        var created = await teacher.CreateProblemAsync(new ProblemWriteRequest(
            Id: "double-it", Title: "Double it", AgeGroup: "11-14", Level: 1, Session: "Numbers", Statement: "Print twice the number.",
            StarterCode: "n = int(input())\n", Tests: [new TestCaseRequest("2\n", "4\n", Hidden: false), new TestCaseRequest("21\n", "42\n", Hidden: true)],
            ReferenceSolution: "print(2 * int(input()))\n"));
        var updated = await teacher.UpdateProblemAsync("double-it", new ProblemWriteRequest(
            Title: "Double it!", AgeGroup: "11-14", Level: 1, Session: "Numbers", Statement: "Print twice the number.", StarterCode: "n = int(input())\n",
            Tests: [new TestCaseRequest("2\n", "4\n", Hidden: false), new TestCaseRequest("5\n", "10\n", Hidden: false), new TestCaseRequest("21\n", "42\n", Hidden: true)]));
        var versions = await teacher.ListProblemVersionsAsync("double-it");
        var withHidden = await teacher.GetProblemTestsAsync("double-it", includeHidden: true);
        var yaml = await teacher.ExportProblemAsync("double-it");
        var imported = await teacher.ImportProblemAsync(yaml.Replace("id: double-it", "id: double-it-copy", StringComparison.Ordinal));

        Assert.Equal((1, 1, 1), (created.Version, created.PublicTests, created.HiddenTests));
        Assert.Equal(("Double it!", 2, 2), (updated.Title, updated.Version, updated.PublicTests));
        Assert.Equal([2, 1], versions.Select(v => v.Version));
        Assert.Equal([false, false, true], withHidden.Select(t => t.Hidden));
        Assert.Contains("21", yaml, StringComparison.Ordinal);
        Assert.Equal(("double-it-copy", 1, 1), (imported.Id, imported.HiddenTests, imported.Version));

        await teacher.ArchiveProblemAsync("double-it-copy");
        Assert.True((await teacher.GetProblemAsync("double-it-copy")).Archived);
        Assert.DoesNotContain(await student.ListProblemsAsync(tag: null), p => p.Id == "double-it-copy");

        // Classes: create, join, see one, the teacher's view, remove.
        var klass = await teacher.CreateClassAsync(new CreateClassRequest("7B"));
        var joined = await student.JoinClassAsync(new JoinClassRequest(klass.JoinCode));
        Assert.Equal(klass.Id, joined.Id);
        Assert.Null(joined.JoinCode);
        Assert.Equal("7B", (await student.GetClassAsync(klass.Id)).Name);
        Assert.Equal([klass.Id], (await student.ListClassesAsync()).Select(c => c.Id));
        Assert.Equal(404, (await Assert.ThrowsAsync<PoddleApiException>(() => student.GetClassProgressAsync(klass.Id))).Status);

        // Grading without waiting, then polled; submissions listed; progress recorded by the server only.
        var attempted = await student.RecordAttemptAsync(new RecordAttemptRequest("double-it"));
        Assert.Equal("attempted", attempted.Status);
        var queued = await student.SubmitForGradingAsync(new GradeSubmissionRequest("print(2 * int(input()))\n", "double-it"), wait: false);
        Assert.Contains(queued.Status, new[] { "queued", "grading", "completed" });
        var graded = queued;
        await Poll.UntilAsync(
            async () => (graded = await student.GetSubmissionAsync(queued.Id)).Status is not ("queued" or "grading"),
            "the grading finishes",
            TimeSpan.FromSeconds(60));

        Assert.Equal(("completed", 3, 3, true), (graded.Status, graded.Passed, graded.Total, graded.AllPassed));
        Assert.Equal([queued.Id], (await student.ListSubmissionsAsync("double-it")).Select(s => s.Id));
        var completed = await student.CompleteProblemAsync(new CompleteProblemRequest("double-it", graded.Id));
        Assert.Equal(("solved", graded.Id), (completed.Status, completed.SolvedBySubmission));
        Assert.Equal("solved", (await student.GetProgressAsync()).Single(p => p.ProblemId == "double-it").Status);
        Assert.True((await student.GetProgressSummaryAsync()).Solved >= 1);

        var view = await teacher.GetClassProgressAsync(klass.Id);
        Assert.Equal(("student", 1), (view.Students.Single().Username, view.Students.Single().Solved));
        var me = await student.GetMeAsync();
        await teacher.RemoveClassStudentAsync(klass.Id, me.Id);
        Assert.Empty((await teacher.GetClassProgressAsync(klass.Id)).Students);
    }

    /// <summary>Registers and signs in; with <paramref name="admin"/>, first gives the user <paramref name="role"/>.</summary>
    private static async Task<PoddleClient> SignUpAsync(PoddleClient anonymous, string username, HttpClient? admin = null, UserRoleName? role = null)
    {
        var user = await anonymous.RegisterAsync(new RegisterRequest($"{username}@example.test", username, Password));
        if (admin is not null && role is { } r)
        {
            using var response = await admin.PatchAsync(
                new Uri($"/api/admin/users/{user.Id}", UriKind.Relative),
                System.Net.Http.Json.JsonContent.Create(new UpdateUserAccessRequest(Role: r), PoddleJsonContext.Default.UpdateUserAccessRequest));
            response.EnsureSuccessStatusCode();
        }

        var tokens = await anonymous.LoginAsync(new LoginRequest(username, Password));
        return anonymous.WithToken(tokens.AccessToken);
    }
}
