using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Poddle.Contracts;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Executions;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

internal static class ExecutionEndpoints
{
    /// <summary>Bodies of the execution endpoints may carry up to 1 MiB of stdin and 64 KiB of code, JSON-escaped.</summary>
    public const long MaxBodyBytes = 8L * 1024 * 1024;

    public static IEndpointRouteBuilder MapExecutionEndpoints(this IEndpointRouteBuilder app)
    {
        var execution = app.MapGroup("/api/execution").WithTags("Execution");

        execution.MapPost("/submit", SubmitExecution)
            .RequireAuthorization()
            .WithMetadata(new BodySizeLimit(MaxBodyBytes))
            .WithSummary("Run a program in a sandbox")
            .WithDescription("202 with the job id; with ?wait=true, 200 with the result as soon as it is done (202 if not done within the server's wait bound). ?encoding=base64 returns output bytes exactly.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        execution.MapGet("/result/{jobId:guid}", GetExecutionResult)
            .RequireAuthorization()
            .WithSummary("The status and result of one of your executions")
            .ProducesProblem(StatusCodes.Status404NotFound);

        execution.MapGet("/runtimes", ListRuntimes)
            .AllowAnonymous()
            .WithSummary("The languages this server runs, discovered at start");

        execution.MapGet("/queue/stats", GetQueueStats)
            .RequireAuthorization()
            .WithSummary("Queue depth, recent throughput, wait and run percentiles, warm pools");

        return app;
    }

    private static async Task<Results<Ok<ExecutionResultResponse>, ProblemResult>> GetExecutionResult(
        Guid jobId, string? encoding, ClaimsPrincipal caller, ExecutionService service, CancellationToken ct)
    {
        if (ParseEncoding(encoding) is not { } base64)
        {
            return Problems.ToResult(Error.Validation(FieldPath.AsSpelled("encoding"), "encoding must be 'utf-8' or 'base64'."));
        }

        return (await service.GetAsync(caller.UserId(), jobId, ct)).ToHttp(e => TypedResults.Ok(ToResponse(e, base64)));
    }

    private static Ok<IReadOnlyList<RuntimeResponse>> ListRuntimes(ExecutionService service) =>
        TypedResults.Ok<IReadOnlyList<RuntimeResponse>>([.. service.Runtimes.Select(r => new RuntimeResponse(r.Language, r.Version, r.Aliases, r.Compiled))]);

    private static async Task<Ok<ExecutionQueueStatsResponse>> GetQueueStats(ExecutionService service, CancellationToken ct)
    {
        var stats = await service.GetStatsAsync(ct);
        return TypedResults.Ok(new ExecutionQueueStatsResponse(
            stats.Depth, stats.Processing, stats.CompletedLastMinute, stats.FailedLastMinute,
            stats.WaitP50Ms, stats.WaitP95Ms, stats.RunP50Ms, stats.RunP95Ms,
            [.. stats.Pools.Select(p => new WarmPoolResponse(p.Language, p.Ready, p.Target, p.Hits, p.Misses, Math.Round(p.HitRate, 3)))],
            stats.Health.Level.ToString().ToLowerInvariant(),
            stats.Health.Detail));
    }

    private static async Task<Results<Accepted<ExecutionSubmittedResponse>, Ok<ExecutionResultResponse>, ProblemResult>> SubmitExecution(
        SubmitExecutionRequest request, bool? wait, string? encoding, ClaimsPrincipal caller, ExecutionService service,
        IOptions<ExecutionOptions> options, CancellationToken ct)
    {
        if (ParseEncoding(encoding) is not { } base64)
        {
            return Problems.ToResult(Error.Validation(FieldPath.AsSpelled("encoding"), "encoding must be 'utf-8' or 'base64'."));
        }

        var code = request.Code is null ? [] : new[] { new CodeFile("", Encoding.UTF8.GetBytes(request.Code)) };
        var submission = new ExecutionSubmission(
            request.Language,
            code,
            request.Stdin is null ? default : Encoding.UTF8.GetBytes(request.Stdin),
            request.Args,
            request.Limits is { } l ? new LimitRequest(l.CpuMs, l.WallMs, l.MemoryMb) : null);
        var submitted = await service.SubmitAsync(Submitter.User(caller.UserId(), caller.IsInRole(Roles.Admin)), submission, ct);
        if (!submitted.IsSuccess)
        {
            return Problems.ToResult(submitted.Error);
        }

        var execution = submitted.Value;
        var location = $"/api/execution/result/{execution.Id}";
        if (wait != true)
        {
            return TypedResults.Accepted(location, new ExecutionSubmittedResponse(execution.Id, "queued"));
        }

        var done = await service.WaitAsync(execution.Id, options.Value.WaitTimeout, ct) ?? execution;
        return done.Status is ExecutionStatus.Completed or ExecutionStatus.Failed
            ? TypedResults.Ok(ToResponse(done, base64))
            : TypedResults.Accepted(location, new ExecutionSubmittedResponse(done.Id, StatusName(done.Status)));
    }

    /// <summary>null for an unknown encoding; true for base64.</summary>
    private static bool? ParseEncoding(string? encoding) => encoding?.ToLowerInvariant() switch
    {
        null or "" or "utf-8" or "utf8" => false,
        "base64" => true,
        _ => null,
    };

    public static string StatusName(ExecutionStatus status) => status.ToString().ToLowerInvariant();

    public static ExecutionResultResponse ToResponse(Execution execution, bool base64)
    {
        var stored = StoredExecutionResult.FromJson(execution.ResultJson);
        var compile = stored?.Compile;

        // The top level describes the run, or the compile step when compiling failed (its messages are the output).
        var main = stored?.Run ?? compile;
        string? Bytes(byte[]? bytes) => bytes is null ? null : base64 ? Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes);
        return new ExecutionResultResponse(
            execution.Id,
            StatusName(execution.Status),
            execution.Language,
            execution.Version,
            execution.Verdict,
            main?.ExitCode,
            main?.Signal,
            main?.CpuMs,
            main?.WallMs,
            main?.MemoryKb,
            Bytes(main?.Stdout),
            Bytes(main?.Stderr),
            main?.StdoutTruncated ?? false,
            main?.StderrTruncated ?? false,
            main is null ? null : Bytes(ExecutionJobHandler.Combine(main.Stdout, main.Stderr)),
            main?.WallMs,
            base64 ? "base64" : "utf-8",
            compile is null ? null : new ExecutionStepResponse(
                compile.Verdict.ToWireName(), compile.ExitCode, compile.Signal, compile.CpuMs, compile.WallMs, compile.MemoryKb,
                Bytes(compile.Stdout)!, Bytes(compile.Stderr)!, compile.StdoutTruncated, compile.StderrTruncated),
            stored?.Message,
            execution.CreatedAt,
            execution.StartedAt,
            execution.CompletedAt);
    }

    /// <summary>A per-endpoint request body limit (Kestrel honours <see cref="IRequestSizeLimitMetadata"/>).</summary>
    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
