using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Poddle.Contracts;
using Poddle.Core.Agents;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Server.Auth;
using Poddle.Server.Errors;

namespace Poddle.Server.Endpoints;

/// <summary>
/// The server side of `poddle agent`: POST /api/agents/heartbeat (agent tokens only; the token names the pod) and a
/// replica's health for its owner. See docs/deployments.md, "Pod agent heartbeats".
/// </summary>
internal static class AgentEndpoints
{
    /// <summary>Largest heartbeat body; a report within <see cref="AgentHeartbeatValidation"/>'s limits is far smaller.</summary>
    public const long MaxHeartbeatBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapAgentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/agents/heartbeat", RecordHeartbeat)
            .RequireAuthorization(AuthenticationSetup.AgentPolicy)
            .WithMetadata(new BodySizeLimit(MaxHeartbeatBytes))
            .WithTags("Agents")
            .WithSummary("A pod agent's heartbeat with its latest health report (agent token only)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        app.MapGet("/api/deployments/{id:guid}/replicas/{replicaId:guid}/health", GetReplicaHealth)
            .RequireAuthorization()
            .WithTags("Deployments")
            .WithSummary("A replica's health as its pod agent last reported it")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<AgentHeartbeatResponse>, ProblemResult>> RecordHeartbeat(
        AgentHeartbeatRequest? request, ClaimsPrincipal caller, AgentHeartbeatService heartbeats, CancellationToken ct)
    {
        var errors = AgentHeartbeatValidation.Validate(request);
        if (!errors.IsEmpty)
        {
            return Problems.ToResult(errors.ToError());
        }

        var report = request!.Report!;
        var json = JsonSerializer.Serialize(report, PoddleJsonContext.Default.AgentHealthReport);
        var accepted = await heartbeats.RecordAsync(
            AgentTokenAuthenticationHandler.IdentityOf(caller),
            new AgentHeartbeat(request.AgentVersion, report.Status, json),
            ct);
        if (!accepted)
        {
            // The pod was replaced between authentication and the write: its token no longer counts.
            return Problems.ToResult(new Error(ErrorKind.Unauthorized, HttpErrorCodes.InvalidToken, "This agent token was replaced by a newer pod's."));
        }

        return TypedResults.Ok(new AgentHeartbeatResponse((int)Math.Ceiling(heartbeats.Interval.TotalSeconds)));
    }

    private static async Task<Results<Ok<PodHealthResponse>, ProblemResult>> GetReplicaHealth(
        Guid id, Guid replicaId, ClaimsPrincipal caller, PodHealthReader health, CancellationToken ct) =>
        (await health.GetForOwnerAsync(caller.UserId(), id, replicaId, ct)).ToHttp(h => TypedResults.Ok(h.ToResponse()));

    /// <summary>The API shape of a pod's health; a stored report that no longer reads is left out rather than failing the response.</summary>
    public static PodHealthResponse ToResponse(this PodHealth health)
    {
        AgentHealthReport? report = null;
        if (health.ReportJson is { } json)
        {
            try
            {
                report = JsonSerializer.Deserialize(json, PoddleJsonContext.Default.AgentHealthReport);
            }
            catch (JsonException)
            {
                report = null;
            }
        }

        return new PodHealthResponse(health.Status, health.LastHeartbeatAt, report);
    }

    /// <summary>A per-endpoint request body limit (Kestrel honours <see cref="IRequestSizeLimitMetadata"/>).</summary>
    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}

/// <summary>The rules of a heartbeat's body: every field bounded, so one pod cannot store an unbounded report.</summary>
internal static class AgentHeartbeatValidation
{
    public const int MaxChecks = 64;
    public const int MaxNameLength = 100;
    public const int MaxMessageLength = 1000;
    public const int MaxShortLength = 255;

    private static readonly HashSet<string> ReportStatuses = new(StringComparer.Ordinal) { HealthStatuses.Healthy, HealthStatuses.Degraded, HealthStatuses.Critical };
    private static readonly HashSet<string> CheckStatuses = new(StringComparer.Ordinal) { HealthStatuses.Healthy, HealthStatuses.Degraded, HealthStatuses.Critical, HealthStatuses.Skipped };
    private static readonly HashSet<string> AppStates = new(StringComparer.Ordinal) { AgentAppStates.Starting, AgentAppStates.Running, AgentAppStates.Backoff, AgentAppStates.Stopped, AgentAppStates.Exited };

    public static FieldErrors Validate(AgentHeartbeatRequest? request)
    {
        var errors = new FieldErrors();
        if (request is null)
        {
            errors.Add(FieldPath.AsSpelled("report"), "A heartbeat needs a body: {\"agentVersion\": \"…\", \"report\": {…}}.");
            return errors;
        }

        Bounded(errors, "agentVersion", request.AgentVersion, 64);
        if (request.Report is not { } report)
        {
            errors.Add(FieldPath.AsSpelled("report"), "The health report is required.");
            return errors;
        }

        if (!ReportStatuses.Contains(report.Status ?? string.Empty))
        {
            errors.Add(FieldPath.AsSpelled("report.status"), "Must be one of healthy, degraded, critical.");
        }

        Bounded(errors, "report.podId", report.PodId, MaxShortLength);
        Required(errors, "report.environment", report.Environment, 32);
        Required(errors, "report.hostname", report.Hostname, MaxShortLength);
        if (report.Checks is null)
        {
            errors.Add(FieldPath.AsSpelled("report.checks"), "The list of checks is required (it may be empty).");
        }
        else if (report.Checks.Count > MaxChecks)
        {
            errors.Add(FieldPath.AsSpelled("report.checks"), $"At most {MaxChecks} checks.");
        }
        else
        {
            for (var i = 0; i < report.Checks.Count; i++)
            {
                var check = report.Checks[i];
                var at = $"report.checks[{i}]";
                if (check is null)
                {
                    errors.Add(FieldPath.AsSpelled(at), "A check must not be null.");
                    continue;
                }

                Required(errors, $"{at}.name", check.Name, MaxNameLength);
                if (!CheckStatuses.Contains(check.Status ?? string.Empty))
                {
                    errors.Add(FieldPath.AsSpelled($"{at}.status"), "Must be one of healthy, degraded, critical, skipped.");
                }

                Bounded(errors, $"{at}.unit", check.Unit, 16);
                Bounded(errors, $"{at}.message", check.Message, MaxMessageLength);
            }
        }

        if (report.App is { } app)
        {
            if (!AppStates.Contains(app.State ?? string.Empty))
            {
                errors.Add(FieldPath.AsSpelled("report.app.state"), "Must be one of starting, running, backoff, stopped, exited.");
            }

            if (app.Restarts < 0)
            {
                errors.Add(FieldPath.AsSpelled("report.app.restarts"), "Must not be negative.");
            }
        }

        return errors;
    }

    private static void Required(FieldErrors errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(FieldPath.AsSpelled(field), "Required.");
        }
        else
        {
            Bounded(errors, field, value, max);
        }
    }

    private static void Bounded(FieldErrors errors, string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            errors.Add(FieldPath.AsSpelled(field), $"At most {max} characters.");
        }
        else if (value is not null && value.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(FieldPath.AsSpelled(field), "Must not contain NUL.");
        }
    }
}
