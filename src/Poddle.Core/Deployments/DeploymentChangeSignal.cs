namespace Poddle.Core.Deployments;

/// <summary>
/// In-process notice that a deployment's routable replicas or domains changed (a replica became ready or not, a
/// domain was verified), so the proxy rebuilds its routes at once instead of waiting for its next poll. Servers
/// sharing a database see each other's changes by polling.
/// </summary>
public sealed class DeploymentChangeSignal
{
    /// <summary>Raised with the deployment's id after the change is saved.</summary>
    public event Action<Guid>? Changed;

    /// <summary>Call after saving a change that affects routing.</summary>
    public void Notify(Guid deploymentId) => Changed?.Invoke(deploymentId);
}
