using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Core.Pools;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// RunPod's worker protocol (what runpod-python calls, docs/pools.md "Worker protocol"): job-take (a long poll),
/// job-take-batch, job-done, job-stream, ping and job-stop, at the URLs <see cref="PoolWorkerProtocol.CreateWorkerAsync"/>
/// puts in a worker's environment. A worker authenticates with its own key, raw in the Authorization header (as the
/// SDK sends it), which reaches only its own pool and its own worker id; anything else is a 401 that never echoes it.
/// Results come as JSON text with Content-Type application/x-www-form-urlencoded (the SDK's), so the body is read raw.
/// </summary>
internal static class ServerlessWorkerEndpoints
{
    public static IEndpointRouteBuilder MapServerlessWorkerEndpoints(this IEndpointRouteBuilder app)
    {
        var worker = app.MapGroup("/v2/{poolId:guid}").WithTags("Serverless workers (RunPod worker protocol)").AllowAnonymous();

        worker.MapGet("/job-take/{workerId}", TakeJob)
            .WithSummary("The next job for this worker ({id, input}), waiting up to Pools:TakeWait; 204 when none came")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        worker.MapGet("/job-take-batch/{workerId}", TakeJobs)
            .WithSummary("Up to ?batch_size= jobs for this worker ([{id, input}]); 204 when none came")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        worker.MapPost("/job-done/{workerId}/{jobId}", JobDone)
            .WithSummary("A job's result: {output} or {error}, optionally stopPod")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        worker.MapPost("/job-stream/{workerId}/{jobId}", JobStream)
            .WithSummary("One stream chunk of a job: {output}")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        worker.MapGet("/ping/{workerId}", Ping)
            .WithSummary("The worker is alive")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        worker.MapGet("/job-stop/{workerId}", JobStop)
            .WithSummary("Stop channel: with ?job_id=, 200 {id, status} once that job is no longer this worker's to run (cancelled, timed out, taken back), else 204 after Pools:TakeWait")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        return app;
    }

    private static async Task<Results<Ok<ServerlessWorkerJob>, NoContent, ProblemResult>> TakeJob(
        Guid poolId, string workerId, HttpRequest http, PoolWorkerProtocol protocol, IOptions<PoolOptions> options, CancellationToken ct)
    {
        if (await WorkerAsync(http, poolId, workerId, protocol, ct) is not { } worker)
        {
            return Unauthorized();
        }

        var jobs = await protocol.TakeAsync(worker, 1, options.Value.TakeWait, ct);
        return jobs.Count == 0 ? TypedResults.NoContent() : TypedResults.Ok(jobs[0].ToWorkerJob());
    }

    private static async Task<Results<Ok<IReadOnlyList<ServerlessWorkerJob>>, NoContent, ProblemResult>> TakeJobs(
        Guid poolId, string workerId, int? batch_size, HttpRequest http, PoolWorkerProtocol protocol, IOptions<PoolOptions> options, CancellationToken ct)
    {
        if (await WorkerAsync(http, poolId, workerId, protocol, ct) is not { } worker)
        {
            return Unauthorized();
        }

        var jobs = await protocol.TakeAsync(worker, batch_size ?? 1, options.Value.TakeWait, ct);
        return jobs.Count == 0 ? TypedResults.NoContent() : TypedResults.Ok<IReadOnlyList<ServerlessWorkerJob>>([.. jobs.Select(j => j.ToWorkerJob())]);
    }

    private static async Task<Results<Ok, ProblemResult>> JobDone(
        Guid poolId, string workerId, string jobId, HttpRequest http, PoolWorkerProtocol protocol, IOptions<PoolOptions> options, CancellationToken ct) =>
        await PostAsync(poolId, workerId, jobId, http, protocol, options.Value, protocol.PostResultAsync, ct);

    private static async Task<Results<Ok, ProblemResult>> JobStream(
        Guid poolId, string workerId, string jobId, HttpRequest http, PoolWorkerProtocol protocol, IOptions<PoolOptions> options, CancellationToken ct) =>
        await PostAsync(poolId, workerId, jobId, http, protocol, options.Value, protocol.PostStreamAsync, ct);

    private static async Task<Results<Ok, ProblemResult>> Ping(Guid poolId, string workerId, HttpRequest http, PoolWorkerProtocol protocol, CancellationToken ct)
    {
        if (await WorkerAsync(http, poolId, workerId, protocol, ct) is not { } worker)
        {
            return Unauthorized();
        }

        await protocol.PingAsync(worker, ct);
        return TypedResults.Ok();
    }

    private static async Task<Results<Ok<ServerlessWorkerStop>, NoContent, ProblemResult>> JobStop(
        Guid poolId, string workerId, string? job_id, HttpRequest http, PoolWorkerProtocol protocol, IOptions<PoolOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (await WorkerAsync(http, poolId, workerId, protocol, ct) is not { } worker)
        {
            return Unauthorized();
        }

        if (!Guid.TryParse(job_id, out var jobId))
        {
            // No job named: held open like a long poll, so a stop loop does not spin.
            await Task.Delay(options.Value.TakeWait, clock, ct);
            return TypedResults.NoContent();
        }

        return await protocol.WaitStopAsync(worker, jobId, options.Value.TakeWait, ct) is { } status
            ? TypedResults.Ok(new ServerlessWorkerStop(jobId.ToString(), status))
            : TypedResults.NoContent();
    }

    private static async Task<Results<Ok, ProblemResult>> PostAsync(
        Guid poolId, string workerId, string jobId, HttpRequest http, PoolWorkerProtocol protocol, PoolOptions options,
        Func<PoolWorkerKey, Guid, string, CancellationToken, Task<Result<bool>>> post, CancellationToken ct)
    {
        if (await WorkerAsync(http, poolId, workerId, protocol, ct) is not { } worker)
        {
            return Unauthorized();
        }

        var body = await ReadBodyAsync(http, options.MaxPayloadBytes, ct);
        if (body is null)
        {
            return Problems.ToResult(Error.TooLarge(PoolJobFields.Result, string.Create(CultureInfo.InvariantCulture, $"At most {options.MaxPayloadBytes} bytes.")));
        }

        // A result for a job the worker no longer holds is accepted and ignored: the SDK would only retry it.
        return Guid.TryParse(jobId, out var id)
            ? (await post(worker, id, body, ct)).ToHttp(_ => TypedResults.Ok())
            : TypedResults.Ok();
    }

    /// <summary>The worker a request speaks for: its key's, when the key is of this pool and this worker id.</summary>
    private static async Task<PoolWorkerKey?> WorkerAsync(HttpRequest http, Guid poolId, string workerId, PoolWorkerProtocol protocol, CancellationToken ct)
    {
        var header = http.Headers[HeaderNames.Authorization].ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : header.Trim();
        var worker = await protocol.AuthenticateAsync(key, ct);
        return worker is not null && worker.PoolId == poolId && worker.WorkerId == workerId ? worker : null;
    }

    /// <summary>The body as text, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest http, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static ProblemResult Unauthorized() =>
        Problems.ToResult(Error.Unauthorized(PoolErrorCodes.WorkerKey, "The worker key is unknown, or not this pool's and this worker's (send RUNPOD_AI_API_KEY as the Authorization header)."));
}
