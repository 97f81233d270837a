using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Core.Pools;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// RunPod serverless's job API on a pool, at RunPod's paths and in its shapes (/v2/{poolId}/run, runsync, status,
/// status-sync, stream, cancel, retry, health, purge-queue), so RunPod's clients work with their base URL set to
/// {server}/v2. Authenticated by the owner's API token as a bearer, as RunPod's clients send their key. Every
/// success is a 200, as RunPod answers (its clients treat anything else as a failure); errors are problems.
/// </summary>
internal static class ServerlessEndpoints
{
    public static IEndpointRouteBuilder MapServerlessEndpoints(this IEndpointRouteBuilder app)
    {
        var pool = app.MapGroup("/v2/{poolId:guid}").WithTags("Serverless (RunPod API)").RequireAuthorization(AuthenticationSetup.ServerlessPolicy);

        pool.MapPost("/run", Run)
            .WithSummary("Queue a job: {input, webhook?, policy?: {executionTimeout, ttl}} (ms); answers {id, status}")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        pool.MapPost("/runsync", RunSync)
            .WithSummary("Queue a job and wait for it up to ?wait= ms (default 90000): its final status, or its status then")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        pool.MapGet("/status/{jobId}", Status)
            .WithSummary("A job's status (IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED, CANCELLED, TIMED_OUT), delayTime and executionTime (ms), output")
            .ProducesProblem(StatusCodes.Status404NotFound);

        pool.MapGet("/status-sync/{jobId}", StatusSync)
            .WithSummary("A job's status once final, waiting up to ?wait= ms")
            .ProducesProblem(StatusCodes.Status404NotFound);
        pool.MapPost("/status-sync/{jobId}", StatusSync).ExcludeFromDescription();

        pool.MapGet("/stream/{jobId}", Stream)
            .WithSummary("The job's stream chunks not read before ({status, stream: [{output}]}), waiting briefly for one")
            .ProducesProblem(StatusCodes.Status404NotFound);

        pool.MapPost("/cancel/{jobId}", Cancel)
            .WithSummary("Cancel a queued or running job; a final job is answered as it is")
            .ProducesProblem(StatusCodes.Status404NotFound);

        pool.MapPost("/retry/{jobId}", Retry)
            .WithSummary("Queue a FAILED or TIMED_OUT job again under its id")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        pool.MapGet("/health", Health)
            .WithSummary("Jobs by status and workers by state (workers are all 0 until the autoscaler is wired)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        pool.MapPost("/purge-queue", PurgeQueue)
            .WithSummary("Remove every queued job (running ones go on): {removed, status}")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<ServerlessJobResponse>, ProblemResult>> Run(
        Guid poolId, ServerlessRunRequest? request, ClaimsPrincipal caller, PoolJobService jobs, CancellationToken ct) =>
        (await jobs.SubmitAsync(caller.UserId(), poolId, request.ToInput(), ct)).ToHttp(job => TypedResults.Ok(new ServerlessJobResponse(job.Id.ToString(), job.Status)));

    private static async Task<Results<Ok<ServerlessJobResponse>, ProblemResult>> RunSync(
        Guid poolId, long? wait, ServerlessRunRequest? request, ClaimsPrincipal caller, PoolJobService jobs, IOptions<PoolOptions> options, CancellationToken ct)
    {
        var submitted = await jobs.SubmitAsync(caller.UserId(), poolId, request.ToInput(), ct);
        if (!submitted.IsSuccess)
        {
            return Problems.ToResult(submitted.Error);
        }

        return (await jobs.WaitAsync(caller.UserId(), poolId, submitted.Value.Id, WaitOf(wait, options.Value), ct)).ToHttp(job => TypedResults.Ok(job.ToResponse()));
    }

    private static async Task<Results<Ok<ServerlessJobResponse>, ProblemResult>> Status(
        Guid poolId, string jobId, ClaimsPrincipal caller, PoolJobService jobs, CancellationToken ct) =>
        Guid.TryParse(jobId, out var id)
            ? (await jobs.GetAsync(caller.UserId(), poolId, id, ct)).ToHttp(job => TypedResults.Ok(job.ToResponse()))
            : JobNotFound();

    private static async Task<Results<Ok<ServerlessJobResponse>, ProblemResult>> StatusSync(
        Guid poolId, string jobId, long? wait, ClaimsPrincipal caller, PoolJobService jobs, IOptions<PoolOptions> options, CancellationToken ct) =>
        Guid.TryParse(jobId, out var id)
            ? (await jobs.WaitAsync(caller.UserId(), poolId, id, WaitOf(wait, options.Value), ct)).ToHttp(job => TypedResults.Ok(job.ToResponse()))
            : JobNotFound();

    private static async Task<Results<Ok<ServerlessStreamResponse>, ProblemResult>> Stream(
        Guid poolId, string jobId, ClaimsPrincipal caller, PoolJobService jobs, CancellationToken ct) =>
        Guid.TryParse(jobId, out var id)
            ? (await jobs.StreamAsync(caller.UserId(), poolId, id, ct)).ToHttp(read => TypedResults.Ok(read.ToResponse()))
            : JobNotFound();

    private static async Task<Results<Ok<ServerlessJobResponse>, ProblemResult>> Cancel(
        Guid poolId, string jobId, ClaimsPrincipal caller, PoolJobService jobs, CancellationToken ct) =>
        Guid.TryParse(jobId, out var id)
            ? (await jobs.CancelAsync(caller.UserId(), poolId, id, ct)).ToHttp(job => TypedResults.Ok(job.ToResponse()))
            : JobNotFound();

    private static async Task<Results<Ok<ServerlessJobResponse>, ProblemResult>> Retry(
        Guid poolId, string jobId, ClaimsPrincipal caller, PoolJobService jobs, CancellationToken ct) =>
        Guid.TryParse(jobId, out var id)
            ? (await jobs.RetryAsync(caller.UserId(), poolId, id, ct)).ToHttp(job => TypedResults.Ok(new ServerlessJobResponse(job.Id.ToString(), job.Status)))
            : JobNotFound();

    private static async Task<Results<Ok<ServerlessHealthResponse>, ProblemResult>> Health(
        Guid poolId, ClaimsPrincipal caller, PoolJobService jobs, CancellationToken ct) =>
        (await jobs.HealthAsync(caller.UserId(), poolId, ct)).ToHttp(health => TypedResults.Ok(health.ToResponse()));

    private static async Task<Results<Ok<ServerlessPurgeResponse>, ProblemResult>> PurgeQueue(
        Guid poolId, ClaimsPrincipal caller, PoolJobService jobs, CancellationToken ct) =>
        (await jobs.PurgeQueueAsync(caller.UserId(), poolId, ct)).ToHttp(removed => TypedResults.Ok(new ServerlessPurgeResponse(removed, "completed")));

    /// <summary>RunPod's ?wait= in milliseconds; the configured default without it; never above the configured maximum.</summary>
    private static TimeSpan WaitOf(long? wait, PoolOptions options) =>
        wait is { } ms ? TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, (long)options.MaxWait.TotalMilliseconds)) : options.DefaultWait;

    private static ProblemResult JobNotFound() => Problems.ToResult(Error.NotFound("Job"));
}
