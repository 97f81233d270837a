namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>
/// Optional capability of a driver whose provider account is shared with pods Poddle did not make (RunPod): operators
/// list every pod of the account, act on any of them by the provider's id, stop and resume one without losing it, and
/// read the account's balance and spend. Drivers without it are operated through <see cref="IPodDriver"/> alone
/// (their Poddle-labelled pods only, no resume, no account).
/// </summary>
public interface IPodFleet
{
    /// <summary>Every live pod of the account, Poddle's (<see cref="FleetPod.Managed"/>) and others.</summary>
    Task<IReadOnlyList<FleetPod>> ListFleetAsync(CancellationToken cancellationToken);

    /// <summary>One pod by the provider's id; null when the provider does not know it.</summary>
    Task<FleetPod?> GetFleetPodAsync(string podId, CancellationToken cancellationToken);

    /// <summary>Starts a stopped pod again (with its GPUs, at its old bid for a spot pod).</summary>
    Task ResumeFleetPodAsync(string podId, CancellationToken cancellationToken);

    /// <summary>Stops a pod; it keeps its volume and can be resumed.</summary>
    Task StopFleetPodAsync(string podId, CancellationToken cancellationToken);

    /// <summary>Terminates a pod for good; done when it is already gone.</summary>
    Task TerminateFleetPodAsync(string podId, CancellationToken cancellationToken);

    /// <summary>The account's balance and spend.</summary>
    Task<FleetAccount> GetFleetAccountAsync(CancellationToken cancellationToken);
}
