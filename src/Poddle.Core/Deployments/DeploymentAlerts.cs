using System.Globalization;
using Poddle.Core.Alerts;

namespace Poddle.Core.Deployments;

/// <summary>
/// A deployment's alerts for its owner (docs/alerts.md): the controller's notifications raise
/// <c>deployment:{id}:{kind}</c> (<see cref="DeploymentAlertKinds"/>), and a deployment that is healthy again (running, or
/// stopped, suspended, deleted: nothing left to be unhealthy) resolves every kind. The notifier sends each incident once,
/// so raising on every notification is safe; it never throws.
/// </summary>
public sealed class DeploymentAlerts(IAlertNotifier alerts)
{
    /// <summary>The incident key of one kind of trouble of one deployment.</summary>
    public static string Key(Guid deploymentId, string kind) => string.Create(CultureInfo.InvariantCulture, $"deployment:{deploymentId}:{kind}");

    /// <summary>Raises the kind of trouble <paramref name="reason"/> names: critical when no replica serves (unhealthy, failed), a warning otherwise.</summary>
    public Task RaiseAsync(Deployment deployment, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(reason);
        var kind = DeploymentAlertKinds.Of(deployment.Status, reason);
        var level = deployment.Status is DeploymentStatus.Unhealthy or DeploymentStatus.Failed ? AlertLevel.Critical : AlertLevel.Warning;
        var title = kind switch
        {
            DeploymentAlertKinds.Oom => $"Deployment {deployment.Name} ran out of memory",
            DeploymentAlertKinds.CrashLoop => $"Deployment {deployment.Name} is crash-looping",
            DeploymentAlertKinds.Failed => $"Deployment {deployment.Name} failed",
            _ => $"Deployment {deployment.Name} is {deployment.Status.ToString().ToLowerInvariant()}",
        };
        return alerts.RaiseAsync(new Alert(Key(deployment.Id, kind), level, title, $"{deployment.Name} is {deployment.Status}: {reason}", deployment.OwnerId), cancellationToken);
    }

    /// <summary>Resolves every kind of the deployment's trouble (each resolve of a key that does not fire is a no-op).</summary>
    public async Task ResolveAllAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        foreach (var kind in DeploymentAlertKinds.All)
        {
            await alerts.ResolveAsync(Key(deploymentId, kind), cancellationToken);
        }
    }

    /// <summary>Whether <paramref name="status"/> ends the deployment's incidents.</summary>
    public static bool Recovers(DeploymentStatus status) =>
        status is DeploymentStatus.Running or DeploymentStatus.Stopped or DeploymentStatus.Suspended or DeploymentStatus.Deleting or DeploymentStatus.Deleted;
}
