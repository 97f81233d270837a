using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Progress;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>The caller's own progress; nobody reads or writes another user's here (teachers use the class view).</summary>
internal static class ProgressEndpoints
{
    public static IEndpointRouteBuilder MapProgressEndpoints(this IEndpointRouteBuilder app)
    {
        var progress = app.MapGroup("/api/progress").WithTags("Progress").RequireAuthorization();

        progress.MapGet("/", ListProgress)
            .WithSummary("Your progress on every problem you tried, most recent first");

        progress.MapPost("/attempt", RecordAttempt)
            .WithSummary("Record that you tried a problem (it counts as attempted, never as solved)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        progress.MapPost("/complete", CompleteProblem)
            .WithSummary("Confirm a completion by one of your graded submissions that passed every case")
            .WithDescription("404 when the submission is not yours or does not exist; 409 (submission-other-problem, submission-not-graded, submission-not-passed) when it cannot complete the problem. Idempotent.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        progress.MapGet("/summary", GetProgressSummary)
            .WithSummary("Your progress per level: problems, solved, attempted, streak, last activity; and totals");

        return app;
    }

    private static async Task<Ok<IReadOnlyList<ProblemProgressResponse>>> ListProgress(ClaimsPrincipal caller, ProgressService service, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<ProblemProgressResponse>>([.. (await service.ListAsync(caller.UserId(), ct)).Select(ToResponse)]);

    private static async Task<Results<Ok<ProblemProgressResponse>, ProblemResult>> RecordAttempt(RecordAttemptRequest? request, ClaimsPrincipal caller, ProgressService service, CancellationToken ct) =>
        (await service.RecordAttemptAsync(caller.UserId(), request?.ProblemId, ct)).ToHttp(p => TypedResults.Ok(ToResponse(p)));

    private static async Task<Results<Ok<ProblemProgressResponse>, ProblemResult>> CompleteProblem(CompleteProblemRequest? request, ClaimsPrincipal caller, ProgressService service, CancellationToken ct) =>
        (await service.CompleteAsync(caller.UserId(), request?.ProblemId, request?.SubmissionId, ct)).ToHttp(p => TypedResults.Ok(ToResponse(p)));

    private static async Task<Ok<ProgressSummaryResponse>> GetProgressSummary(ClaimsPrincipal caller, ProgressService service, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(await service.SummaryAsync(caller.UserId(), ct)));

    public static ProblemProgressResponse ToResponse(ProblemProgress p) => new(
        p.ProblemId,
        p.Solved ? "solved" : "attempted",
        p.Attempts,
        p.BestPassRate,
        p.FirstAttemptAt,
        p.LastAttemptAt,
        p.SolvedAt,
        p.SolvedBySubmissionId);

    public static ProgressSummaryResponse ToResponse(ProgressSummary s) => new(
        [.. s.Levels.Select(l => new LevelProgressResponse(l.AgeGroup, l.Level, l.Title, l.Problems, l.Solved, l.Attempted, l.StreakDays, l.LastActivity))],
        s.Solved,
        s.Attempted,
        s.StreakDays,
        s.LastActivity);
}
