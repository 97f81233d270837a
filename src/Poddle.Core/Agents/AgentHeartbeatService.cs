using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Agents;

/// <summary>The pod an agent token speaks for.</summary>
public sealed record AgentIdentity(Guid ReplicaId, Guid DeploymentId, string TokenHash);

/// <summary>One heartbeat, already validated by the API: the report's overall status and the report as JSON.</summary>
public sealed record AgentHeartbeat(string? AgentVersion, string Status, string ReportJson);

/// <summary>
/// The server side of agent heartbeats: finds the pod a token belongs to (only while its replica is live and its
/// deployment not deleted) and keeps the latest report per replica. A heartbeat after the pod was marked lost clears
/// the mark and records an AgentRecovered event. Never logs or records the token.
/// </summary>
public sealed partial class AgentHeartbeatService(
    PoddleDbContext db,
    DeploymentEventRecorder events,
    IOptions<AgentOptions> options,
    TimeProvider clock,
    ILogger<AgentHeartbeatService> logger)
{
    /// <summary>The pod behind <paramref name="token"/>; null when unknown, superseded by a newer pod's, or its replica is stopped or deleted.</summary>
    public async Task<AgentIdentity?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (!AgentTokens.LooksLikeAgentToken(token) || token.Length > 128)
        {
            return null;
        }

        var hash = SecretTokens.Hash(token);
        var found = await (
                from a in db.Set<ReplicaAgent>().AsNoTracking()
                join r in db.Replicas.AsNoTracking() on a.ReplicaId equals r.Id
                join d in db.Deployments.AsNoTracking() on r.DeploymentId equals d.Id
                where a.TokenHash == hash
                    && r.Phase != ReplicaPhase.Stopped && r.Phase != ReplicaPhase.Stopping
                    && d.DeletedAt == null
                select new { r.Id, r.DeploymentId })
            .FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : new AgentIdentity(found.Id, found.DeploymentId, hash);
    }

    /// <summary>Stores <paramref name="heartbeat"/> as the pod's latest; false when the token was replaced meanwhile (a new pod).</summary>
    public async Task<bool> RecordAsync(AgentIdentity agent, AgentHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();

        // Conditional on the token: a heartbeat racing a restart never lands on the new pod's row.
        var updated = await db.Set<ReplicaAgent>()
            .Where(a => a.ReplicaId == agent.ReplicaId && a.TokenHash == agent.TokenHash)
            .ExecuteUpdateAsync(
                s => s.SetProperty(a => a.LastHeartbeatAt, now)
                    .SetProperty(a => a.ReportStatus, heartbeat.Status)
                    .SetProperty(a => a.ReportJson, heartbeat.ReportJson)
                    .SetProperty(a => a.AgentVersion, heartbeat.AgentVersion)
                    .SetProperty(a => a.Heartbeats, a => a.Heartbeats + 1),
                cancellationToken);
        if (updated == 0)
        {
            return false;
        }

        // After the heartbeat time is written, so the lost monitor (which marks only rows silent since the cutoff)
        // cannot mark this pod lost again behind this clear.
        var recovered = await db.Set<ReplicaAgent>()
            .Where(a => a.ReplicaId == agent.ReplicaId && a.TokenHash == agent.TokenHash && a.LostAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LostAt, (DateTimeOffset?)null), cancellationToken);
        if (recovered > 0)
        {
            await events.RecordAsync(
                agent.DeploymentId,
                "AgentRecovered",
                "heartbeats resumed",
                $"replica {Short(agent.ReplicaId)}: its agent reports again ({heartbeat.Status})",
                agent.ReplicaId,
                cancellationToken: cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            LogRecovered(logger, agent.DeploymentId, agent.ReplicaId);
        }

        return true;
    }

    /// <summary>The interval agents are told to keep.</summary>
    public TimeSpan Interval => options.Value.HeartbeatInterval;

    internal static string Short(Guid replicaId) => ReplicaShortId.Of(replicaId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {DeploymentId}: the agent of replica {ReplicaId} reports again")]
    private static partial void LogRecovered(ILogger logger, Guid deploymentId, Guid replicaId);
}
