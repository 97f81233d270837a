namespace Poddle.Contracts;

/// <summary>
/// A deployment's statuses on the wire (<see cref="DeploymentResponse.Status"/>): the server's deployment status names in
/// lower case (docs/deployments.md has the state machine). A Server test holds them equal to the server's statuses.
/// </summary>
public static class DeploymentStatuses
{
    public const string Pending = "pending";
    public const string Provisioning = "provisioning";
    public const string Running = "running";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";
    public const string Failed = "failed";
    public const string Stopped = "stopped";

    /// <summary>Scaled to zero by billing (its owner's balance is below zero); distinct from a user's <see cref="Stopped"/>.</summary>
    public const string Suspended = "suspended";
    public const string Deleting = "deleting";
    public const string Deleted = "deleted";
}
