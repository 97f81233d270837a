namespace Poddle.Core.Deployments;

/// <summary>
/// One stretch of time a replica's pod ran, as the controller recorded it: from the moment its pod was started
/// (<see cref="Replica.StartedAt"/>) to the moment the controller saw it end (crash, stop, replacement, deletion).
/// A replica that crash-loops has one row per run and nothing in between, so usage is metered from what actually ran,
/// never from the desired replica count. Written only by <see cref="ReplicaRunRecorder"/>; usage billing reads it.
/// Invariant: at most one row per replica has no <see cref="StoppedAt"/>, and that row exists exactly while the
/// replica's phase is <see cref="ReplicaPhase.Running"/>.
/// </summary>
public sealed class ReplicaRun
{
    public Guid Id { get; init; }

    public Guid ReplicaId { get; init; }

    public Guid DeploymentId { get; init; }

    /// <summary>The revision the replica runs (its resources are that revision's).</summary>
    public int Revision { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Null while the pod runs.</summary>
    public DateTimeOffset? StoppedAt { get; set; }
}
