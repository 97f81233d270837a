namespace Poddle.Core.Fleet;

/// <summary>Wire names of what a fleet reconciliation finds (the <c>finding</c> label of <c>poddle_fleet_reconcile_findings_total</c>, events).</summary>
public static class FleetFindings
{
    /// <summary>A pod with this installation's labels that no live replica or worker owns.</summary>
    public const string OrphanFound = "orphan-found";

    /// <summary>An orphan terminated after the grace period (and a re-check).</summary>
    public const string OrphanTerminated = "orphan-terminated";

    /// <summary>A live worker whose pod is gone at the provider (the pool controller replaces it).</summary>
    public const string WorkerPodMissing = "worker-pod-missing";

    /// <summary>A running replica whose pod is gone at the provider (the deployment reconciler recreates it).</summary>
    public const string ReplicaPodMissing = "replica-pod-missing";
}
