using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Poddle.Contracts;

namespace Poddle.Client;

/// <summary>The learning platform (docs/curriculum.md): problems, levels, grading submissions, progress and classes.</summary>
public sealed partial class PoddleClient
{
    /// <summary>The media type of a problem file (import body, export answer).</summary>
    public const string ProblemFileMediaType = "application/yaml";

    // Content

    /// <summary>GET /api/problems: the problems, filtered by level, age group ("11-14", "15-18") and tag when given.</summary>
    public Task<IReadOnlyList<ProblemSummaryResponse>> ListProblemsAsync(
        int? level = null, string? ageGroup = null, string? tag = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (level is { } l)
        {
            query.Add("level=" + l.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(ageGroup))
        {
            query.Add("ageGroup=" + Uri.EscapeDataString(ageGroup));
        }

        if (!string.IsNullOrEmpty(tag))
        {
            query.Add("tag=" + Uri.EscapeDataString(tag));
        }

        var path = "api/problems" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query));
        return SendAsync(HttpMethod.Get, path, PoddleJsonContext.Default.IReadOnlyListProblemSummaryResponse, cancellationToken);
    }

    /// <summary>GET /api/problems/{id}: statement, starter code and counts of cases (404 for an unknown problem).</summary>
    public Task<CurriculumProblemResponse> GetProblemAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/problems/{Escape(id)}", PoddleJsonContext.Default.CurriculumProblemResponse, cancellationToken);

    /// <summary>GET /api/problems/{id}/tests: the public cases; with <paramref name="includeHidden"/> (its author and admins) the hidden ones too.</summary>
    public Task<IReadOnlyList<TestCaseResponse>> GetProblemTestsAsync(string id, bool includeHidden = false, CancellationToken cancellationToken = default) =>
        SendAsync(
            HttpMethod.Get,
            $"api/problems/{Escape(id)}/tests" + (includeHidden ? "?includeHidden=true" : string.Empty),
            PoddleJsonContext.Default.IReadOnlyListTestCaseResponse,
            cancellationToken);

    /// <summary>GET /api/problems/{id}/versions (teachers and admins).</summary>
    public Task<IReadOnlyList<ProblemVersionResponse>> ListProblemVersionsAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/problems/{Escape(id)}/versions", PoddleJsonContext.Default.IReadOnlyListProblemVersionResponse, cancellationToken);

    /// <summary>GET /api/levels/{ageGroup}: the age group's levels → sessions → problems.</summary>
    public Task<IReadOnlyList<LevelResponse>> GetLevelsAsync(string ageGroup, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/levels/{Escape(ageGroup)}", PoddleJsonContext.Default.IReadOnlyListLevelResponse, cancellationToken);

    /// <summary>GET /api/sessions/{id}: one session with its problems in order.</summary>
    public Task<CurriculumSessionResponse> GetSessionAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/sessions/{Escape(id)}", PoddleJsonContext.Default.CurriculumSessionResponse, cancellationToken);

    /// <summary>GET /api/levels/{ageGroup}/{level}/cheatsheet.</summary>
    public Task<CheatsheetResponse> GetCheatsheetAsync(string ageGroup, int level, CancellationToken cancellationToken = default) =>
        SendAsync(
            HttpMethod.Get,
            $"api/levels/{Escape(ageGroup)}/{level.ToString(CultureInfo.InvariantCulture)}/cheatsheet",
            PoddleJsonContext.Default.CheatsheetResponse,
            cancellationToken);

    /// <summary>POST /api/problems (teachers and admins): a new problem, version 1.</summary>
    public Task<CurriculumProblemResponse> CreateProblemAsync(ProblemWriteRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/problems", request, PoddleJsonContext.Default.ProblemWriteRequest, PoddleJsonContext.Default.CurriculumProblemResponse, cancellationToken);

    /// <summary>PUT /api/problems/{id} (its author and admins): a new version of the problem.</summary>
    public Task<CurriculumProblemResponse> UpdateProblemAsync(string id, ProblemWriteRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"api/problems/{Escape(id)}", request, PoddleJsonContext.Default.ProblemWriteRequest, PoddleJsonContext.Default.CurriculumProblemResponse, cancellationToken);

    /// <summary>DELETE /api/problems/{id} (its author and admins): archives it; submissions and progress stay.</summary>
    public Task ArchiveProblemAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/problems/{Escape(id)}", cancellationToken);

    /// <summary>POST /api/problems/import (teachers and admins): one problem file (YAML, docs/curriculum.md) as the body.</summary>
    public async Task<CurriculumProblemResponse> ImportProblemAsync(string problemFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problemFile);
        using var request = CreateRequest(HttpMethod.Post, "api/problems/import");
        request.Content = new StringContent(problemFile, Encoding.UTF8, ProblemFileMediaType);
        return await ReadAsync(await SendCoreAsync(request, cancellationToken), PoddleJsonContext.Default.CurriculumProblemResponse, cancellationToken);
    }

    /// <summary>GET /api/problems/{id}/export (its author and admins): the problem file (YAML), hidden cases included.</summary>
    public async Task<string> ExportProblemAsync(string id, CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get, $"api/problems/{Escape(id)}/export");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ProblemFileMediaType));

        // Problems come back as JSON (RFC 9457), so the client accepts that too.
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json", 0.5));
        using var response = await SendCoreAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    // Grading

    /// <summary>
    /// POST /api/execution/submit/grade. With <paramref name="wait"/>, the graded submission when the server finished
    /// within its wait bound (200); otherwise, or on 202, the submission still queued or grading: poll
    /// <see cref="GetSubmissionAsync"/> until its status is completed or failed.
    /// </summary>
    public async Task<SubmissionResponse> SubmitForGradingAsync(GradeSubmissionRequest request, bool wait = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = CreateRequest(HttpMethod.Post, "api/execution/submit/grade" + (wait ? "?wait=true" : string.Empty));
        message.Content = JsonContent.Create(request, PoddleJsonContext.Default.GradeSubmissionRequest);
        var response = await SendCoreAsync(message, cancellationToken);
        return await ReadAsync(response, PoddleJsonContext.Default.SubmissionResponse, cancellationToken);
    }

    /// <summary>GET /api/submissions/{id}: one of your graded submissions.</summary>
    public Task<SubmissionResponse> GetSubmissionAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/submissions/{id}", PoddleJsonContext.Default.SubmissionResponse, cancellationToken);

    /// <summary>GET /api/submissions: your graded submissions, of one problem when <paramref name="problemId"/> is given.</summary>
    public Task<IReadOnlyList<SubmissionResponse>> ListSubmissionsAsync(string? problemId = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            HttpMethod.Get,
            "api/submissions" + (string.IsNullOrEmpty(problemId) ? string.Empty : "?problemId=" + Uri.EscapeDataString(problemId)),
            PoddleJsonContext.Default.IReadOnlyListSubmissionResponse,
            cancellationToken);

    // Progress

    /// <summary>GET /api/progress: your progress on every problem you tried.</summary>
    public Task<IReadOnlyList<ProblemProgressResponse>> GetProgressAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/progress", PoddleJsonContext.Default.IReadOnlyListProblemProgressResponse, cancellationToken);

    /// <summary>POST /api/progress/attempt: marks a problem attempted (never solved).</summary>
    public Task<ProblemProgressResponse> RecordAttemptAsync(RecordAttemptRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/progress/attempt", request, PoddleJsonContext.Default.RecordAttemptRequest, PoddleJsonContext.Default.ProblemProgressResponse, cancellationToken);

    /// <summary>POST /api/progress/complete: records a completion, which the server grants only for your own submission that passed every case.</summary>
    public Task<ProblemProgressResponse> CompleteProblemAsync(CompleteProblemRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/progress/complete", request, PoddleJsonContext.Default.CompleteProblemRequest, PoddleJsonContext.Default.ProblemProgressResponse, cancellationToken);

    /// <summary>GET /api/progress/summary: per level, solved, attempted, streak and last activity.</summary>
    public Task<ProgressSummaryResponse> GetProgressSummaryAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/progress/summary", PoddleJsonContext.Default.ProgressSummaryResponse, cancellationToken);

    // Classes

    /// <summary>POST /api/classes (teachers and admins): a class with a join code.</summary>
    public Task<ClassResponse> CreateClassAsync(CreateClassRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/classes", request, PoddleJsonContext.Default.CreateClassRequest, PoddleJsonContext.Default.ClassResponse, cancellationToken);

    /// <summary>GET /api/classes: the classes you teach, or those you joined.</summary>
    public Task<IReadOnlyList<ClassResponse>> ListClassesAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/classes", PoddleJsonContext.Default.IReadOnlyListClassResponse, cancellationToken);

    /// <summary>POST /api/classes/join: joins the class whose code this is.</summary>
    public Task<ClassResponse> JoinClassAsync(JoinClassRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/classes/join", request, PoddleJsonContext.Default.JoinClassRequest, PoddleJsonContext.Default.ClassResponse, cancellationToken);

    /// <summary>GET /api/classes/{id}: one class you teach or joined.</summary>
    public Task<ClassResponse> GetClassAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/classes/{id}", PoddleJsonContext.Default.ClassResponse, cancellationToken);

    /// <summary>DELETE /api/classes/{id}/students/{userId}: the class's teacher removes a student (or a student leaves).</summary>
    public Task RemoveClassStudentAsync(Guid id, Guid userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/classes/{id}/students/{userId}", cancellationToken);

    /// <summary>GET /api/classes/{id}/progress: every student's progress (the class's teacher and admins; 404 for anyone else).</summary>
    public Task<ClassProgressResponse> GetClassProgressAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"api/classes/{id}/progress", PoddleJsonContext.Default.ClassProgressResponse, cancellationToken);

    /// <summary>True when <paramref name="exception"/> is the server's 404.</summary>
    public static bool IsNotFound(Exception exception) => exception is PoddleApiException { Status: (int)HttpStatusCode.NotFound };

    private static string Escape(string segment)
    {
        ArgumentException.ThrowIfNullOrEmpty(segment);
        return Uri.EscapeDataString(segment);
    }
}
