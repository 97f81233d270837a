using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Curriculum.Grading;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Executions;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>Grading: POST /api/execution/submit/grade, and the caller's graded submissions under /api/submissions.</summary>
internal static class SubmissionEndpoints
{
    /// <summary>64 KiB of code, JSON-escaped, fits well within 1 MiB; the service answers 413 for code over its limit.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapSubmissionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/execution/submit/grade", GradeSolution)
            .WithTags("Grading")
            .RequireAuthorization()
            .WithMetadata(new BodySizeLimit(MaxBodyBytes))
            .WithSummary("Grade code against every case of a problem")
            .WithDescription("202 with the queued submission; with ?wait=true, 200 with the result as soon as it is graded (202 if not within the server's wait bound). Hidden cases show only passed and verdict.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var submissions = app.MapGroup("/api/submissions").WithTags("Grading").RequireAuthorization();

        submissions.MapGet("/{id:guid}", GetSubmission)
            .WithSummary("One of your graded submissions, with its result once graded")
            .ProducesProblem(StatusCodes.Status404NotFound);

        submissions.MapGet("/", ListSubmissions)
            .WithSummary("Your graded submissions, newest first (?problemId= for one problem; ?offset=&limit= up to 100)")
            .ProducesValidationProblem();

        return app;
    }

    private static async Task<Results<Ok<SubmissionResponse>, ProblemResult>> GetSubmission(Guid id, ClaimsPrincipal caller, SubmissionService service, CancellationToken ct) =>
        (await service.GetAsync(caller.UserId(), id, ct)).ToHttp(s => TypedResults.Ok(ToResponse(s)));

    private static async Task<Results<Ok<IReadOnlyList<SubmissionResponse>>, ProblemResult>> ListSubmissions(string? problemId, ClaimsPrincipal caller, SubmissionService service, CancellationToken ct, int offset = 0, int limit = 20) =>
        (await service.ListAsync(caller.UserId(), problemId, offset, limit, ct))
            .ToHttp(list => TypedResults.Ok<IReadOnlyList<SubmissionResponse>>([.. list.Select(ToResponse)]));

    private static async Task<Results<Accepted<SubmissionResponse>, Ok<SubmissionResponse>, ProblemResult>> GradeSolution(
        GradeSubmissionRequest? request, bool? wait, ClaimsPrincipal caller, SubmissionService service, IOptions<GradingOptions> options, CancellationToken ct)
    {
        var submitted = await service.SubmitAsync(
            Submitter.User(caller.UserId(), caller.IsInRole(Roles.Admin)),
            new GradeSubmission(request?.Code, request?.ProblemId, request?.Language),
            ct);
        if (!submitted.IsSuccess)
        {
            return Problems.ToResult(submitted.Error);
        }

        var submission = submitted.Value;
        var location = $"/api/submissions/{submission.Id}";
        if (wait != true)
        {
            return TypedResults.Accepted(location, ToResponse(submission));
        }

        var done = await service.WaitAsync(submission.Id, options.Value.WaitTimeout, ct) ?? submission;
        return done.Status is SubmissionStatus.Completed or SubmissionStatus.Failed
            ? TypedResults.Ok(ToResponse(done))
            : TypedResults.Accepted(location, ToResponse(done));
    }

    /// <summary>What of a submission leaves the server: never the code's hidden cases' data (the grader never stored any).</summary>
    public static SubmissionResponse ToResponse(Submission submission)
    {
        var result = StoredGradingResult.FromJson(submission.ResultJson);
        return new SubmissionResponse(
            submission.Id,
            submission.ProblemId,
            submission.ProblemVersion,
            submission.Language,
            submission.Status.ToString().ToLowerInvariant(),
            submission.Passed,
            submission.Total,
            submission.PassRate,
            submission.Status == SubmissionStatus.Completed ? submission.AllPassed : null,
            result is null ? null : [.. result.Cases.OrderBy(c => c.Index).Select(ToResponse)],
            submission.Message,
            submission.CreatedAt,
            submission.CompletedAt);
    }

    /// <summary>A hidden case is built from its index, passed and verdict alone, whatever the stored result holds.</summary>
    private static GradedCaseResponse ToResponse(CaseResult c) =>
        c.Hidden
            ? new GradedCaseResponse(c.Index, true, c.Passed, c.Verdict.ToWireName(), null, null, null, null, null)
            : new GradedCaseResponse(c.Index, false, c.Passed, c.Verdict.ToWireName(), c.TimeMs, c.Input, c.Expected, c.Actual, c.Error);

    /// <summary>A per-endpoint request body limit (Kestrel honours <see cref="IRequestSizeLimitMetadata"/>).</summary>
    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
