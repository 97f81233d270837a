using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Agents;

/// <summary>
/// Marks pods whose agents stopped reporting as lost: a running replica whose agent sent at least one heartbeat and
/// then none for <see cref="AgentOptions.LostAfter"/> gets <see cref="ReplicaAgent.LostAt"/> and a Warning event
/// AgentLost (de-duplicated like every deployment event); the next heartbeat clears it (<see cref="AgentHeartbeatService"/>).
/// Pods whose agent never reported stay "unknown": a deployment need not run the agent. Lost is information for the
/// owner, not a restart: readiness and liveness stay the probes' job. Runs on the controller's leader only.
/// </summary>
public sealed partial class AgentLostMonitor(
    IServiceScopeFactory scopes,
    ControllerLeadership leadership,
    IOptions<AgentOptions> options,
    TimeProvider clock,
    ILogger<AgentLostMonitor> logger) : BackgroundService
{
    /// <summary>How often silence is looked for: a fifth of the interval, between 1 and 10 seconds.</summary>
    public TimeSpan Tick => TimeSpan.FromTicks(Math.Clamp(options.Value.HeartbeatInterval.Ticks / 5, TimeSpan.TicksPerSecond, 10 * TimeSpan.TicksPerSecond));

    /// <summary>One pass; returns how many pods it marked lost.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!await leadership.IsLeaderAsync(cancellationToken))
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var events = scope.ServiceProvider.GetRequiredService<DeploymentEventRecorder>();
        var lostAfter = options.Value.LostAfter;
        var cutoff = clock.GetStoredUtcNow() - lostAfter;
        var silent = await (
                from a in db.Set<ReplicaAgent>().AsNoTracking()
                join r in db.Replicas.AsNoTracking() on a.ReplicaId equals r.Id
                where r.Phase == ReplicaPhase.Running && a.LostAt == null && a.LastHeartbeatAt != null && a.LastHeartbeatAt < cutoff
                select new { a.ReplicaId, r.DeploymentId, a.TokenHash, a.LastHeartbeatAt })
            .ToListAsync(cancellationToken);
        var marked = 0;
        foreach (var pod in silent)
        {
            var now = clock.GetStoredUtcNow();

            // Conditional: a heartbeat that arrived since the query keeps the pod from being marked.
            var updated = await db.Set<ReplicaAgent>()
                .Where(a => a.ReplicaId == pod.ReplicaId && a.TokenHash == pod.TokenHash && a.LostAt == null && a.LastHeartbeatAt < cutoff)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LostAt, now), cancellationToken);
            if (updated == 0)
            {
                continue;
            }

            marked++;
            await events.RecordAsync(
                pod.DeploymentId,
                "AgentLost",
                "heartbeats stopped",
                $"replica {AgentHeartbeatService.Short(pod.ReplicaId)}: no heartbeat from its agent since {pod.LastHeartbeatAt:O} ({lostAfter} of silence)",
                pod.ReplicaId,
                DeploymentEventRecorder.Warning,
                cancellationToken);
            LogLost(logger, pod.DeploymentId, pod.ReplicaId, pod.LastHeartbeatAt!.Value);
        }

        await db.SaveChangesAsync(cancellationToken);
        return marked;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ControllerLoop.RunAsync(RunOnceAsync, () => Tick, clock, ex => LogIterationFailed(logger, ex), stoppingToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId}: the agent of replica {ReplicaId} is lost (last heartbeat {LastHeartbeatAt:O})")]
    private static partial void LogLost(ILogger logger, Guid deploymentId, Guid replicaId, DateTimeOffset lastHeartbeatAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent lost monitor: iteration failed; retrying next tick")]
    private static partial void LogIterationFailed(ILogger logger, Exception exception);
}
