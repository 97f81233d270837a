using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// Grading, submissions, progress and classes through real HTTP, the real queue and the real sandbox. Every response
/// body a test reads is kept and searched for the hidden cases' inputs, expected values and calls.
/// </summary>
public sealed class GradingEndpointsTests(GradingServers servers) : IClassFixture<GradingServers>
{
    private const string Wrong = "def add(a, b):\n    return a + b if a >= 0 else 0\n";
    private const string Right = "def add(a, b):\n    return a + b\n";

    /// <summary>Fails the hidden stdin case, printing its input to stdout and stderr: none of it may come back.</summary>
    private const string LeakyShout = "import sys\ns = input()\nif s != 'hello':\n    print(s)\n    sys.stderr.write('leak:' + s)\n    raise SystemExit(3)\nprint(s.upper())\n";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<string> _bodies = [];

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        _bodies.Add(text);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    private Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostAsync(HttpClient client, string path, object body) => SendAsync(client, HttpMethod.Post, path, body);

    private Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(HttpClient client, string path) => SendAsync(client, HttpMethod.Get, path);

    private void AssertNothingHiddenLeaked()
    {
        Assert.NotEmpty(_bodies);
        foreach (var body in _bodies)
        {
            foreach (var marker in InMemoryProblemCatalog.HiddenMarkers.Append("leak:"))
            {
                Assert.False(body.Contains(marker, StringComparison.Ordinal), $"A response holds '{marker}' of a hidden case: {body}");
            }
        }
    }

    private static void AssertHiddenCasesBare(JsonNode submission)
    {
        var cases = submission["cases"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, cases.Count), cases.Select(c => (int)c!["index"]!));
        foreach (var c in cases.Where(c => (bool)c!["hidden"]!))
        {
            foreach (var field in new[] { "timeMs", "input", "expected", "actual", "error" })
            {
                Assert.True(c![field] is null, $"hidden case {c["index"]} has {field}: {c[field]}");
            }

            Assert.NotNull((string?)c!["verdict"]);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EndToEnd_WrongThenRight_ProgressAndTheClassViewShowTheCompletion(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var suffix = provider.ToString().ToLowerInvariant();
        var (teacher, _) = await GradingServers.CreateUserAsync(server, "teacher-" + suffix, UserRoleName.Teacher);
        var (student, studentUser) = await GradingServers.CreateUserAsync(server, "student-" + suffix, UserRoleName.Student);

        var created = await PostAsync(teacher, "/api/classes", new CreateClassRequest("7B"));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var classId = (string)created.Body!["id"]!;
        var code = (string)created.Body["joinCode"]!;
        var joined = await PostAsync(student, "/api/classes/join", new JoinClassRequest(code));
        Assert.Equal(HttpStatusCode.OK, joined.Status);
        Assert.Null(joined.Body!["joinCode"]);
        Assert.Equal("teacher-" + suffix, (string)joined.Body["teacherUsername"]!);

        Assert.Equal("attempted", (string)(await PostAsync(student, "/api/progress/attempt", new RecordAttemptRequest("secret-add"))).Body!["status"]!);

        var wrong = await PostAsync(student, "/api/execution/submit/grade?wait=true", new GradeSubmissionRequest(Wrong, "secret-add"));
        Assert.Equal(HttpStatusCode.OK, wrong.Status);
        Assert.Equal(("completed", 3, 4, false), ((string)wrong.Body!["status"]!, (int)wrong.Body["passed"]!, (int)wrong.Body["total"]!, (bool)wrong.Body["allPassed"]!));
        Assert.Equal(["ok", "ok", "ok", "wrong_answer"], wrong.Body["cases"]!.AsArray().Select(c => (string)c!["verdict"]!));
        Assert.Equal(("add(1, 2)", "3", "3"), ((string)wrong.Body["cases"]![0]!["input"]!, (string)wrong.Body["cases"]![0]!["expected"]!, (string)wrong.Body["cases"]![0]!["actual"]!));
        Assert.NotNull(wrong.Body["cases"]![0]!["timeMs"]);
        AssertHiddenCasesBare(wrong.Body);

        var afterWrong = (await GetAsync(student, "/api/progress")).Body!.AsArray().Single(p => (string)p!["problemId"]! == "secret-add")!;
        Assert.Equal(("attempted", 2, 0.75), ((string)afterWrong["status"]!, (int)afterWrong["attempts"]!, (double)afterWrong["bestPassRate"]!));
        var notPassed = await PostAsync(student, "/api/progress/complete", new CompleteProblemRequest("secret-add", Guid.Parse((string)wrong.Body["id"]!)));
        Assert.Equal((HttpStatusCode.Conflict, "submission-not-passed"), (notPassed.Status, (string)notPassed.Body!["code"]!));

        var right = await PostAsync(student, "/api/execution/submit/grade?wait=true", new GradeSubmissionRequest(Right, "secret-add", "python"));
        Assert.Equal(HttpStatusCode.OK, right.Status);
        Assert.True((bool)right.Body!["allPassed"]!);
        AssertHiddenCasesBare(right.Body);
        var rightId = (string)right.Body["id"]!;

        var solved = (await GetAsync(student, "/api/progress")).Body!.AsArray().Single(p => (string)p!["problemId"]! == "secret-add")!;
        Assert.Equal(("solved", rightId, 3), ((string)solved["status"]!, (string)solved["solvedBySubmission"]!, (int)solved["attempts"]!));
        var confirmed = await PostAsync(student, "/api/progress/complete", new CompleteProblemRequest("secret-add", Guid.Parse(rightId)));
        Assert.Equal(HttpStatusCode.OK, confirmed.Status);
        Assert.Equal((string)solved["solvedAt"]!, (string)confirmed.Body!["solvedAt"]!);

        var leaky = await PostAsync(student, "/api/execution/submit/grade?wait=true", new GradeSubmissionRequest(LeakyShout, "secret-shout"));
        Assert.Equal(["ok", "runtime_error"], leaky.Body!["cases"]!.AsArray().Select(c => (string)c!["verdict"]!));
        AssertHiddenCasesBare(leaky.Body);

        var summary = (await GetAsync(student, "/api/progress/summary")).Body!;
        var level1 = summary["levels"]!.AsArray().Single(l => (string)l!["ageGroup"]! == "11-14" && (int)l["level"]! == 1)!;
        Assert.Equal((1, 1, 1), ((int)level1["solved"]!, (int)level1["attempted"]!, (int)level1["streakDays"]!));
        Assert.Equal((1, 1, 1), ((int)summary["solved"]!, (int)summary["attempted"]!, (int)summary["streakDays"]!));

        var list = (await GetAsync(student, "/api/submissions?problemId=secret-add")).Body!.AsArray();
        Assert.Equal([rightId, (string)wrong.Body["id"]!], list.Select(s => (string)s!["id"]!));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(student, $"/api/submissions/{rightId}")).Status);

        var view = await GetAsync(teacher, $"/api/classes/{classId}/progress");
        Assert.Equal(HttpStatusCode.OK, view.Status);
        var row = view.Body!["students"]!.AsArray().Single()!;
        Assert.Equal((studentUser.Id.ToString(), 1, 1), ((string)row["userId"]!, (int)row["solved"]!, (int)row["attempted"]!));
        Assert.Equal(rightId, (string)row["problems"]!.AsArray().Single(p => (string)p!["problemId"]! == "secret-add")!["solvedBySubmission"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(student, $"/api/classes/{classId}/progress")).Status);
        AssertNothingHiddenLeaked();
    }

    [Fact]
    public async Task Grade_BadInput_400_404_413_401()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("bad-input-grader");

        var noCode = await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(null, "secret-add"));
        var noProblem = await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(Right, null));
        var noBody = await PostAsync(client, "/api/execution/submit/grade", new { });
        var unknown = await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(Right, "no-such-problem"));
        var archived = await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(Right, "archived-add"));
        var tooBig = await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(new string('#', 64 * 1024 + 1), "secret-add"));
        var language = await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(Right, "secret-add", "c"));
        var anonymous = await PostAsync(server.CreateClient(), "/api/execution/submit/grade", new GradeSubmissionRequest(Right, "secret-add"));

        Assert.Equal((HttpStatusCode.BadRequest, true), (noCode.Status, noCode.Body!["errors"]!.AsObject().ContainsKey("code")));
        Assert.Equal((HttpStatusCode.BadRequest, true), (noProblem.Status, noProblem.Body!["errors"]!.AsObject().ContainsKey("problemId")));
        Assert.Equal(["code", "problemId"], noBody.Body!["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.NotFound, archived.Status);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "too-large"), (tooBig.Status, (string)tooBig.Body!["code"]!));
        Assert.Equal((HttpStatusCode.BadRequest, true), (language.Status, language.Body!["errors"]!.AsObject().ContainsKey("language")));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Empty((await GetAsync(client, "/api/submissions")).Body!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(client, "/api/submissions?limit=0")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(client, "/api/progress/attempt", new RecordAttemptRequest("no-such-problem"))).Status);
        AssertNothingHiddenLeaked();
    }

    [Fact]
    public async Task Grade_WithoutWait_Is202AndPollable()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("patient-grader");

        var accepted = await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(Right, "secret-add"));

        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Equal("queued", (string)accepted.Body!["status"]!);
        Assert.Null(accepted.Body["cases"]);
        var location = accepted.Response.Headers.Location!.OriginalString;
        Assert.Equal($"/api/submissions/{(string)accepted.Body["id"]!}", location);
        JsonNode? polled = null;
        await Poll.UntilAsync(
            async () => (string?)(polled = (await GetAsync(client, location)).Body)?["status"] is "completed" or "failed",
            "the grading finishes",
            TimeSpan.FromSeconds(15));

        Assert.Equal(("completed", true), ((string)polled!["status"]!, (bool)polled["allPassed"]!));
        AssertHiddenCasesBare(polled);
        AssertNothingHiddenLeaked();
    }

    [Fact]
    public async Task AnotherStudent_CannotReadNorCompleteWithSomeoneElsesSubmission()
    {
        var server = await servers.GetAsync(DatabaseProvider.Postgres);
        var (ana, _) = await GradingServers.CreateUserAsync(server, "ana-student", UserRoleName.Student);
        var (ben, _) = await GradingServers.CreateUserAsync(server, "ben-student", UserRoleName.Student);
        var graded = await PostAsync(ana, "/api/execution/submit/grade?wait=true", new GradeSubmissionRequest(Right, "secret-add"));
        var id = Guid.Parse((string)graded.Body!["id"]!);

        var read = await GetAsync(ben, $"/api/submissions/{id}");
        var complete = await PostAsync(ben, "/api/progress/complete", new CompleteProblemRequest("secret-add", id));

        Assert.Equal(HttpStatusCode.NotFound, read.Status);
        Assert.Equal(HttpStatusCode.NotFound, complete.Status);
        Assert.Empty((await GetAsync(ben, "/api/submissions")).Body!.AsArray());
        Assert.Empty((await GetAsync(ben, "/api/progress")).Body!.AsArray());
        Assert.Equal(0, (int)(await GetAsync(ben, "/api/progress/summary")).Body!["solved"]!);
        Assert.Equal("solved", (string)(await GetAsync(ana, "/api/progress")).Body!.AsArray().Single()!["status"]!);
        AssertNothingHiddenLeaked();
    }

    [Fact]
    public async Task Classes_RolesDecideWhoCreatesSeesCodesAndManages()
    {
        var server = await servers.GetAsync(DatabaseProvider.Sqlite);
        var (teacher, _) = await GradingServers.CreateUserAsync(server, "class-teacher", UserRoleName.Teacher);
        var (otherTeacher, _) = await GradingServers.CreateUserAsync(server, "other-teacher", UserRoleName.Teacher);
        var (student, studentUser) = await GradingServers.CreateUserAsync(server, "class-student", UserRoleName.Student);
        var (admin, _) = await server.SignInAdminAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(student, "/api/classes", new CreateClassRequest("mine"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(teacher, "/api/classes", new CreateClassRequest(null))).Status);
        var created = await PostAsync(teacher, "/api/classes", new CreateClassRequest("9C"));
        var classId = (string)created.Body!["id"]!;
        var code = (string)created.Body["joinCode"]!;
        Assert.Equal($"/api/classes/{classId}", created.Response.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(student, "/api/classes/join", new JoinClassRequest("ZZZZ2222"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(admin, "/api/classes/join", new JoinClassRequest(code))).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(student, "/api/classes/join", new JoinClassRequest(code))).Status);
        Assert.Equal(1, (int)(await PostAsync(student, "/api/classes/join", new JoinClassRequest(code.ToLowerInvariant()))).Body!["students"]!);

        Assert.Equal(code, (string)(await GetAsync(teacher, "/api/classes")).Body!.AsArray().Single()!["joinCode"]!);
        Assert.Null((await GetAsync(student, "/api/classes")).Body!.AsArray().Single()!["joinCode"]);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(student, $"/api/classes/{classId}")).Status);
        Assert.Empty((await GetAsync(otherTeacher, "/api/classes")).Body!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(otherTeacher, $"/api/classes/{classId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(otherTeacher, $"/api/classes/{classId}/progress")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(admin, $"/api/classes/{classId}/progress")).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(otherTeacher, HttpMethod.Delete, $"/api/classes/{classId}/students/{studentUser.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(student, HttpMethod.Delete, $"/api/classes/{classId}/students/{studentUser.Id}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(teacher, HttpMethod.Delete, $"/api/classes/{classId}/students/{studentUser.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(teacher, HttpMethod.Delete, $"/api/classes/{classId}/students/{studentUser.Id}")).Status);
        Assert.Empty((await GetAsync(teacher, $"/api/classes/{classId}/progress")).Body!["students"]!.AsArray());
        Assert.Empty((await GetAsync(student, "/api/classes")).Body!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task StudentSubmissions_TheClassesTeacherSeesCodeAndResults_OthersGet404(DatabaseProvider provider)
    {
        var server = await servers.GetAsync(provider);
        var suffix = provider.ToString().ToLowerInvariant();
        var (teacher, _) = await GradingServers.CreateUserAsync(server, "code-teacher-" + suffix, UserRoleName.Teacher);
        var (otherTeacher, _) = await GradingServers.CreateUserAsync(server, "code-other-" + suffix, UserRoleName.Teacher);
        var (student, studentUser) = await GradingServers.CreateUserAsync(server, "code-student-" + suffix, UserRoleName.Student);
        var (outsider, outsiderUser) = await GradingServers.CreateUserAsync(server, "code-outsider-" + suffix, UserRoleName.Student);
        var classId = (string)(await PostAsync(teacher, "/api/classes", new CreateClassRequest("5A"))).Body!["id"]!;
        var code = (string)(await GetAsync(teacher, $"/api/classes/{classId}")).Body!["joinCode"]!;
        await PostAsync(student, "/api/classes/join", new JoinClassRequest(code));
        var wrong = await PostAsync(student, "/api/execution/submit/grade?wait=true", new GradeSubmissionRequest(Wrong, "secret-add"));
        await PostAsync(student, "/api/execution/submit/grade?wait=true", new GradeSubmissionRequest("print(input())\n", "secret-shout"));
        await PostAsync(outsider, "/api/execution/submit/grade?wait=true", new GradeSubmissionRequest(Right, "secret-add"));
        var path = $"/api/classes/{classId}/students/{studentUser.Id}/submissions";

        var all = await GetAsync(teacher, path);
        var one = await GetAsync(teacher, path + "?problemId=secret-add");

        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.Equal(("code-student-" + suffix, 2), ((string)all.Body!["username"]!, all.Body["submissions"]!.AsArray().Count));
        var seen = one.Body!["submissions"]!.AsArray().Single()!;
        Assert.Equal(((string)wrong.Body!["id"]!, Wrong, false), ((string)seen["submission"]!["id"]!, (string)seen["code"]!, (bool)seen["submission"]!["allPassed"]!));
        foreach (var submission in all.Body["submissions"]!.AsArray())
        {
            AssertHiddenCasesBare(submission!["submission"]!);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(otherTeacher, path)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(student, path)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(teacher, $"/api/classes/{classId}/students/{outsiderUser.Id}/submissions")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(teacher, path + "?limit=101")).Status);
        AssertNothingHiddenLeaked();
    }

    [Fact]
    public async Task Grade_StarterProblem_WorksWithTheServersOwnCatalog()
    {
        // No catalog registered by the test: the server falls back to the embedded starter curriculum.
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        var (client, _) = await server.CreateUserAsync("starter-student");
        var problem = Poddle.Core.Curriculum.CurriculumLoader.LoadStarter().Problems[0];

        var graded = await PostAsync(client, "/api/execution/submit/grade?wait=true", new GradeSubmissionRequest(problem.ReferenceSolution, problem.Id));

        Assert.Equal(HttpStatusCode.OK, graded.Status);
        Assert.True((bool)graded.Body!["allPassed"]!, graded.Body.ToJsonString());
        Assert.Equal(1, (int)(await GetAsync(client, "/api/progress/summary")).Body!["solved"]!);
    }

    [Fact]
    public async Task RateLimit_RunsAndGradesShareOneLimit_429WithRetryAfter()
    {
        // No workers: every run and grade stays queued, and only the limit decides.
        await using var server = await GradingServers.StartAsync(DatabaseProvider.Sqlite, GradingServers.NewCatalog(), new Dictionary<string, string?>
        {
            ["Execution:RateLimit:PerMinute"] = "3",
            ["Execution:Concurrency"] = "0",
            ["Grading:Concurrency"] = "0",
        });
        var (client, _) = await server.CreateUserAsync("busy-student");

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(client, "/api/execution/submit", new { language = "python", code = "print(1)" })).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(Right, "secret-add"))).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(client, "/api/execution/submit", new { language = "python", code = "print(2)" })).Status);
        var grade = await PostAsync(client, "/api/execution/submit/grade", new GradeSubmissionRequest(Right, "secret-add"));
        var run = await PostAsync(client, "/api/execution/submit", new { language = "python", code = "print(3)" });

        Assert.Equal((HttpStatusCode.TooManyRequests, "rate-limited"), (grade.Status, (string)grade.Body!["code"]!));
        Assert.InRange(int.Parse(grade.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.TooManyRequests, run.Status);
        AssertNothingHiddenLeaked();
    }
}
