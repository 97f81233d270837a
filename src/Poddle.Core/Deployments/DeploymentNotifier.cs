using Microsoft.Extensions.Logging;
using Poddle.Core.Common;

namespace Poddle.Core.Deployments;

/// <summary>
/// Tells a deployment's owner about a problem (degraded, unhealthy, failed, rolled back): an alert to the owner's
/// receivers (<see cref="DeploymentAlerts"/>; the notifier sends each incident once), and, at most once per deployment per
/// <see cref="ControllerTimings.NotificationThrottle"/> (<see cref="Deployment.LastNotifiedAt"/>), a Warning log line and a
/// Notification event. Adds the event to the caller's unit of work; the caller saves.
/// </summary>
public sealed partial class DeploymentNotifier(DeploymentEventRecorder events, DeploymentAlerts alerts, TimeProvider clock, ILogger<DeploymentNotifier> logger)
{
    /// <summary>Raises the alert; notifies unless the deployment was notified within the throttle window; true when it did.</summary>
    public async Task<bool> NotifyAsync(Deployment deployment, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        await alerts.RaiseAsync(deployment, reason, cancellationToken);
        var now = clock.GetStoredUtcNow();
        if (deployment.LastNotifiedAt is { } last && now - last < ControllerTimings.NotificationThrottle)
        {
            return false;
        }

        deployment.LastNotifiedAt = now;
        LogNotified(logger, deployment.Id, deployment.Name, deployment.Status, reason);
        await events.RecordAsync(deployment.Id, "Notification", deployment.Status.ToString(), $"{deployment.Name} is {deployment.Status}: {reason}", severity: DeploymentEventRecorder.Warning, cancellationToken: cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {DeploymentId} ({Name}) is {Status}: {Reason}")]
    private static partial void LogNotified(ILogger logger, Guid deploymentId, string name, DeploymentStatus status, string reason);
}

/// <summary>The observed status of a deployment that is not provisioning: from how many of its desired replicas are ready.</summary>
public static class DeploymentHealthPolicy
{
    /// <summary>Running when all desired replicas are ready, Degraded when some are, Unhealthy when none is; Stopped at zero (Suspended when billing suspended its owner).</summary>
    public static (DeploymentStatus Status, string Reason) Evaluate(Deployment deployment, IReadOnlyCollection<Replica> active)
    {
        if (deployment.Replicas == 0 && deployment.SuspendedReplicas is { } kept)
        {
            return (DeploymentStatus.Suspended, $"owner suspended (balance below zero); {kept} replica(s) come back when the balance is above zero");
        }

        if (deployment.Replicas == 0)
        {
            return (DeploymentStatus.Stopped, "scaled to zero replicas");
        }

        var ready = active.Count(r => r.Ready);
        if (ready >= deployment.Replicas)
        {
            return (DeploymentStatus.Running, $"{deployment.Replicas}/{deployment.Replicas} replicas ready");
        }

        var why = active.Where(r => !r.Ready && r.LastExitReason is not null).OrderByDescending(r => r.LastExitAt).Select(r => r.LastExitReason).FirstOrDefault()
            ?? (active.Any(r => !r.Ready && r.ProbeFailures > 0) ? "readiness probe failing" : "replicas not ready");
        return ready == 0
            ? (DeploymentStatus.Unhealthy, $"0/{deployment.Replicas} replicas ready: {why}")
            : (DeploymentStatus.Degraded, $"{ready}/{deployment.Replicas} replicas ready: {why}");
    }
}
