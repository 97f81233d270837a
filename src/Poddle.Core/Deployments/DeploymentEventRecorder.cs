using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Deployments;

/// <summary>
/// Records deployment events, de-duplicated: the same (type, reason, replica) seen again within
/// <see cref="DeduplicationWindow"/> bumps the existing event's count and time instead of adding a row, so a crash
/// loop is one event with a count, not thousands of rows. Adds to the caller's unit of work; the caller saves.
/// Messages must never hold secret values: callers pass reasons and names, never env or secret contents.
/// </summary>
public sealed class DeploymentEventRecorder(PoddleDbContext db, DeploymentAlerts alerts, TimeProvider clock)
{
    public static readonly TimeSpan DeduplicationWindow = TimeSpan.FromMinutes(10);

    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public async Task<DeploymentEvent> RecordAsync(
        Guid deploymentId,
        string type,
        string reason,
        string message,
        Guid? replicaId = null,
        string severity = Normal,
        CancellationToken cancellationToken = default)
    {
        var now = clock.GetStoredUtcNow();
        var since = now - DeduplicationWindow;
        var existing = db.ChangeTracker.Entries<DeploymentEvent>()
            .Select(e => e.Entity)
            .FirstOrDefault(e => e.DeploymentId == deploymentId && e.Type == type && e.Reason == reason && e.ReplicaId == replicaId && e.LastSeenAt >= since)
            ?? await db.DeploymentEvents
                .Where(e => e.DeploymentId == deploymentId && e.Type == type && e.Reason == reason && e.ReplicaId == replicaId && e.LastSeenAt >= since)
                .OrderByDescending(e => e.LastSeenAt)
                .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            existing.Count++;
            existing.LastSeenAt = now;
            existing.Message = Truncate(message);
            return existing;
        }

        var created = new DeploymentEvent
        {
            Id = Guid.CreateVersion7(now),
            DeploymentId = deploymentId,
            ReplicaId = replicaId,
            Severity = severity,
            Type = type,
            Reason = Truncate(reason, 200),
            Message = Truncate(message),
            Count = 1,
            FirstSeenAt = now,
            LastSeenAt = now,
        };
        db.DeploymentEvents.Add(created);
        return created;
    }

    /// <summary>
    /// Moves the deployment to <paramref name="status"/> and records a StatusChanged event with the reason; nothing when
    /// unchanged. A move to a healthy status (<see cref="DeploymentAlerts.Recovers"/>) resolves the deployment's alerts.
    /// </summary>
    public async Task SetStatusAsync(Deployment deployment, DeploymentStatus status, string reason, CancellationToken cancellationToken = default)
    {
        if (deployment.Status == status && deployment.StatusReason == reason)
        {
            return;
        }

        var previous = deployment.Status;
        deployment.Status = status;
        deployment.StatusReason = Truncate(reason);
        deployment.StatusChangedAt = clock.GetStoredUtcNow();
        deployment.UpdatedAt = deployment.StatusChangedAt;
        var severity = status is DeploymentStatus.Failed or DeploymentStatus.Unhealthy or DeploymentStatus.Degraded ? Warning : Normal;
        await RecordAsync(deployment.Id, "StatusChanged", status.ToString(), $"{previous} → {status}: {reason}", severity: severity, cancellationToken: cancellationToken);
        if (previous != status && DeploymentAlerts.Recovers(status))
        {
            await alerts.ResolveAllAsync(deployment.Id, cancellationToken);
        }
    }

    private static string Truncate(string text, int max = 2000) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
