namespace Poddle.Core.Deployments;

/// <summary>What one <see cref="DeploymentConvergeStep"/> did.</summary>
/// <param name="Settled">True when the deployment needs no further step now (done, failed, deleted or owned by the health monitor).</param>
/// <param name="RoutingChanged">True when a replica became ready or left the routes: the proxy's table must be rebuilt.</param>
public readonly record struct ConvergeStepResult(bool Settled, bool RoutingChanged);
