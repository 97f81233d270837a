using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Xml;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// A deployment's logs and metrics, as documents and as server-sent event streams. Scoped to the caller: another
/// user's deployment is a 404. Streams send a comment every <see cref="Heartbeat"/> so proxies keep them open.
/// </summary>
internal static class DeploymentTelemetryEndpoints
{
    public const int MaxTail = 10_000;
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapDeploymentTelemetryEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/deployments/{id:guid}").WithTags("Deployments").RequireAuthorization();

        group.MapGet("/logs", GetLogs)
            .WithSummary("The last lines of the deployment's replicas, oldest first")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/logs/stream", StreamLogs)
            .WithSummary("Follow every replica's output (server-sent events 'log'); new replicas join")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/metrics", GetMetrics)
            .WithSummary("CPU, memory and network per replica, with the last hour's history")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/metrics/stream", StreamMetrics)
            .WithSummary("New metrics samples as they are taken (server-sent events 'metrics', one per sample, shaped like GET /metrics)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<LogLineResponse>>, ProblemResult>> GetLogs(
        Guid id, string? tail, string? since, ClaimsPrincipal caller, DeploymentLogReader logs, TimeProvider clock, CancellationToken ct)
    {
        var query = ParseLogQuery(tail, since, clock, defaultTail: 100);
        if (!query.IsSuccess)
        {
            return Problems.ToResult(query.Error);
        }

        if (!await logs.IsOwnedByAsync(caller.UserId(), id, ct))
        {
            return Problems.ToResult(Error.NotFound("The deployment"));
        }

        var lines = await logs.ReadAsync(id, query.Value.Tail, query.Value.Since, ct);
        return TypedResults.Ok<IReadOnlyList<LogLineResponse>>([.. lines.Select(ToResponse)]);
    }

    private static async Task<Results<EmptyHttpResult, ProblemResult>> StreamLogs(
        Guid id, string? since, HttpContext http, ClaimsPrincipal caller, DeploymentLogReader logs, TimeProvider clock, CancellationToken ct)
    {
        var query = ParseLogQuery(null, since, clock, defaultTail: 1);
        if (!query.IsSuccess)
        {
            return Problems.ToResult(query.Error);
        }

        if (!await logs.IsOwnedByAsync(caller.UserId(), id, ct))
        {
            return Problems.ToResult(Error.NotFound("The deployment"));
        }

        await StreamAsync(http, "log", logs.FollowAsync(id, query.Value.Since, ct).Select(ToResponse), PoddleJsonContext.Default.LogLineResponse, ct);
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<DeploymentMetricsResponse>, ProblemResult>> GetMetrics(
        Guid id, ClaimsPrincipal caller, DeploymentLogReader logs, ReplicaMetricsCollector metrics, CancellationToken ct)
    {
        if (!await logs.IsOwnedByAsync(caller.UserId(), id, ct))
        {
            return Problems.ToResult(Error.NotFound("The deployment"));
        }

        var replicas = await logs.ReplicasWithPodsAsync(id, ct);
        var history = metrics.GetHistory(replicas.Select(r => r.Id));
        return TypedResults.Ok(new DeploymentMetricsResponse([.. history.Select(h => new ReplicaMetricsResponse(h.ReplicaId, [.. h.Samples.Select(ToResponse)]))]));
    }

    private static async Task<Results<EmptyHttpResult, ProblemResult>> StreamMetrics(
        Guid id, HttpContext http, ClaimsPrincipal caller, DeploymentLogReader logs, ReplicaMetricsCollector metrics, CancellationToken ct)
    {
        if (!await logs.IsOwnedByAsync(caller.UserId(), id, ct))
        {
            return Problems.ToResult(Error.NotFound("The deployment"));
        }

        await StreamAsync(http, "metrics", metrics.FollowAsync(id, ct).Select(s => new DeploymentMetricsResponse([new ReplicaMetricsResponse(s.ReplicaId, [ToResponse(s.Sample)])])), PoddleJsonContext.Default.DeploymentMetricsResponse, ct);
        return TypedResults.Empty;
    }

    /// <summary>tail: 1..10000; since: ISO 8601 instant or a duration back from now (30s, 5m, 2h, 1d, or ISO "PT5M").</summary>
    internal static Result<(int Tail, DateTimeOffset? Since)> ParseLogQuery(string? tail, string? since, TimeProvider clock, int defaultTail)
    {
        var errors = new FieldErrors();
        var count = defaultTail;
        if (tail is not null && (!int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxTail))
        {
            errors.Add(FieldPath.AsSpelled("tail"), $"tail must be a whole number from 1 to {MaxTail}.");
        }

        DateTimeOffset? from = null;
        if (!string.IsNullOrEmpty(since))
        {
            if (ParseDuration(since) is { } back)
            {
                from = clock.GetUtcNow() - back;
            }
            else if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant) && since.Contains('T', StringComparison.Ordinal))
            {
                from = instant;
            }
            else
            {
                errors.Add(FieldPath.AsSpelled("since"), "since must be an ISO 8601 time (2026-01-02T15:04:05Z) or a duration such as 30s, 5m, 2h or 1d.");
            }
        }

        return errors.IsEmpty ? Result<(int, DateTimeOffset?)>.Success((count, from)) : Result<(int, DateTimeOffset?)>.Failure(errors.ToError());
    }

    private static TimeSpan? ParseDuration(string text)
    {
        if (text.StartsWith('P'))
        {
            try
            {
                var iso = XmlConvert.ToTimeSpan(text);
                return iso > TimeSpan.Zero ? iso : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return null;
        }

        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
    }

    private static LogLineResponse ToResponse(DeploymentLogLine line) => new(line.ReplicaId, line.Timestamp, line.Stream, line.Text, ReplicaShortId.Of(line.ReplicaId));

    private static ReplicaMetricsSample ToResponse(ReplicaSample s) =>
        new(s.Timestamp, s.CpuMillicores, s.MemoryBytes, s.MemoryLimitBytes, s.NetworkRxBytesPerSecond, s.NetworkTxBytesPerSecond);

    /// <summary>Writes each item as an SSE message of <paramref name="eventName"/>, with heartbeat comments, until the client leaves.</summary>
    private static async Task StreamAsync<T>(HttpContext http, string eventName, IAsyncEnumerable<T> items, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync(": stream open\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
        using var writing = new SemaphoreSlim(1, 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = Task.Run(
            async () =>
            {
                using var timer = new PeriodicTimer(Heartbeat);
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    await writing.WaitAsync(stop.Token);
                    try
                    {
                        await http.Response.WriteAsync(": heartbeat\n\n", stop.Token);
                        await http.Response.Body.FlushAsync(stop.Token);
                    }
                    finally
                    {
                        writing.Release();
                    }
                }
            },
            CancellationToken.None);
        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                var json = JsonSerializer.Serialize(item, typeInfo);
                await writing.WaitAsync(cancellationToken);
                try
                {
                    await http.Response.WriteAsync($"event: {eventName}\ndata: {json}\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                }
                finally
                {
                    writing.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await heartbeat;
            }
            catch (OperationCanceledException)
            {
                // Stopped with the stream.
            }
        }
    }
}
