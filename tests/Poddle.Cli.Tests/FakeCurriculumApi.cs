using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Poddle.Contracts;

namespace Poddle.Cli.Tests;

/// <summary>
/// A scripted stand-in for the learning platform's API, served over real HTTP by Kestrel on a free loopback port and
/// speaking the Contracts records and RFC 9457 problems, for what the real server cannot be made to do on cue: a grade
/// that stays queued, a host failure, a 413. It records every request. Commands are also tested against the real
/// server (Client/CurriculumClientTests, EndToEnd/LearningEndToEndTests).
/// </summary>
public sealed class FakeCurriculumApi : IAsyncDisposable
{
    public const string Token = "pdl_fake_token_for_curriculum_tests";

    private readonly WebApplication _app;

    private FakeCurriculumApi(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public List<CurriculumProblemResponse> Problems { get; } = [];

    public Dictionary<string, List<TestCaseResponse>> Tests { get; } = new(StringComparer.Ordinal);

    public List<ProblemProgressResponse> Progress { get; } = [];

    public ProgressSummaryResponse Summary { get; set; } = new([], 0, 0, 0, null);

    public List<ClassResponse> Classes { get; } = [];

    public Dictionary<Guid, ClassProgressResponse> ClassProgress { get; } = [];

    /// <summary>The problem file export answers, by problem id.</summary>
    public Dictionary<string, string> Exports { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// What the grading endpoint and then each GET /api/submissions/{id} answer, in order (the last one repeats). A
    /// status of "queued" or "grading" is answered with 202.
    /// </summary>
    public List<SubmissionResponse> Grades { get; } = [];

    /// <summary>When set, the grading endpoint answers this status with a problem document instead.</summary>
    public int? GradeFailureStatus { get; set; }

    private int _gradeReads;

    public IEnumerable<RecordedRequest> RequestsTo(string method, string path) => Requests.Where(r => r.Method == method && r.Path == path);

    public static async Task<FakeCurriculumApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeCurriculumApi? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake = new FakeCurriculumApi(app, new Uri(address + "/"));
        return fake;
    }

    public CurriculumProblemResponse AddProblem(string id, string title, int level = 1, int publicTests = 2, int hiddenTests = 2, string ageGroup = "11-14")
    {
        var problem = new CurriculumProblemResponse(
            id, title, ageGroup, level, "Numbers", $"{ageGroup}-{level}-numbers", Problems.Count + 1, ["arithmetic"],
            "Read two numbers and print their sum.", "a, b = input().split()\n", "python", "trim", null, null, 1, false,
            publicTests, hiddenTests, "teacher", Guid.NewGuid(), DateTimeOffset.UtcNow);
        Problems.Add(problem);
        var tests = new List<TestCaseResponse>();
        for (var i = 0; i < publicTests; i++)
        {
            tests.Add(new TestCaseResponse(tests.Count, "stdin", false, $"{i} {i}\n", $"{2 * i}\n", null, null));
        }

        Tests[id] = tests;
        return problem;
    }

    public static SubmissionResponse Graded(string problemId, params GradedCaseResponse[] cases)
    {
        var passed = cases.Count(c => c.Passed);
        return new SubmissionResponse(
            Guid.NewGuid(), problemId, 1, "python", "completed", passed, cases.Length, cases.Length == 0 ? 0 : (double)passed / cases.Length,
            passed == cases.Length, cases, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
    }

    public static SubmissionResponse Pending(Guid id, string problemId, string status) =>
        new(id, problemId, 1, "python", status, null, null, null, null, null, null, DateTimeOffset.UtcNow, null);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var raw = buffer.ToArray();
        var recorded = new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.ContentType, Encoding.UTF8.GetString(raw), raw, request.Headers.Accept.ToString());
        Requests.Enqueue(recorded);
        if (request.Headers.Authorization != "Bearer " + Token)
        {
            await ProblemAsync(context, 401, "unauthenticated", "Sign in first.");
            return;
        }

        var s = recorded.Path.TrimEnd('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (recorded.Method, s)
        {
            case ("GET", ["api", "problems"]):
                var list = Problems.Select(p => new ProblemSummaryResponse(
                    p.Id, p.Title, p.AgeGroup, p.Level, p.Session, p.SessionId, p.Order, p.Tags, p.Language, p.Version, p.Archived, p.PublicTests, p.HiddenTests)).ToList();
                await JsonAsync(context, 200, list, PoddleJsonContext.Default.IReadOnlyListProblemSummaryResponse);
                return;
            case ("GET", ["api", "problems", var id]) when Problems.Find(p => p.Id == id) is { } problem:
                await JsonAsync(context, 200, problem, PoddleJsonContext.Default.CurriculumProblemResponse);
                return;
            case ("GET", ["api", "problems", var id, "tests"]) when Tests.TryGetValue(id, out var tests):
                await JsonAsync(context, 200, tests, PoddleJsonContext.Default.IReadOnlyListTestCaseResponse);
                return;
            case ("GET", ["api", "problems", var id, "export"]) when Exports.TryGetValue(id, out var yaml):
                context.Response.ContentType = "application/yaml";
                await context.Response.WriteAsync(yaml);
                return;
            case ("POST", ["api", "problems", "import"]):
                var imported = AddProblem("imported", "Imported", publicTests: 3, hiddenTests: 4);
                await JsonAsync(context, 201, imported, PoddleJsonContext.Default.CurriculumProblemResponse);
                return;
            case ("POST", ["api", "execution", "submit", "grade"]):
                var body = JsonSerializer.Deserialize(recorded.Body, PoddleJsonContext.Default.GradeSubmissionRequest)!;
                if (GradeFailureStatus is { } failure)
                {
                    await ProblemAsync(context, failure, failure == 413 ? "payload-too-large" : "error", failure == 413 ? "Code is over 65536 bytes." : "Failed.");
                    return;
                }

                if (Problems.All(p => p.Id != body.ProblemId))
                {
                    await ProblemAsync(context, 404, "not-found", "No such problem.");
                    return;
                }

                _gradeReads = 0;
                await WriteGradeAsync(context);
                return;
            case ("GET", ["api", "submissions", _]):
                await WriteGradeAsync(context);
                return;
            case ("GET", ["api", "progress"]):
                await JsonAsync(context, 200, Progress, PoddleJsonContext.Default.IReadOnlyListProblemProgressResponse);
                return;
            case ("GET", ["api", "progress", "summary"]):
                await JsonAsync(context, 200, Summary, PoddleJsonContext.Default.ProgressSummaryResponse);
                return;
            case ("GET", ["api", "classes"]):
                await JsonAsync(context, 200, Classes, PoddleJsonContext.Default.IReadOnlyListClassResponse);
                return;
            case ("POST", ["api", "classes"]):
                var name = JsonSerializer.Deserialize(recorded.Body, PoddleJsonContext.Default.CreateClassRequest)!.Name!;
                var created = new ClassResponse(Guid.NewGuid(), name, "teacher", "JOIN-1234", 0, DateTimeOffset.UtcNow);
                Classes.Add(created);
                await JsonAsync(context, 201, created, PoddleJsonContext.Default.ClassResponse);
                return;
            case ("POST", ["api", "classes", "join"]):
                var code = JsonSerializer.Deserialize(recorded.Body, PoddleJsonContext.Default.JoinClassRequest)!.Code;
                if (Classes.Find(c => c.JoinCode == code) is not { } joined)
                {
                    await ProblemAsync(context, 404, "not-found", "No class has this code.");
                    return;
                }

                await JsonAsync(context, 200, joined with { JoinCode = null, Students = joined.Students + 1 }, PoddleJsonContext.Default.ClassResponse);
                return;
            case ("GET", ["api", "classes", var id, "progress"]) when Guid.TryParse(id, out var classId) && ClassProgress.TryGetValue(classId, out var progress):
                await JsonAsync(context, 200, progress, PoddleJsonContext.Default.ClassProgressResponse);
                return;
            default:
                await ProblemAsync(context, 404, "not-found", "Not found.");
                return;
        }
    }

    private Task WriteGradeAsync(HttpContext context)
    {
        var grade = Grades[Math.Min(_gradeReads, Grades.Count - 1)];
        _gradeReads++;
        return JsonAsync(context, grade.Status is "queued" or "grading" ? 202 : 200, grade, PoddleJsonContext.Default.SubmissionResponse);
    }

    private static Task JsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(value, type));
    }

    private static Task ProblemAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = new ProblemResponse("about:blank", code, status, detail, context.Request.Path, code, "req-" + Guid.NewGuid().ToString("N")[..8], null);
        return context.Response.WriteAsync(JsonSerializer.Serialize(problem, PoddleJsonContext.Default.ProblemResponse));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
