using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

public sealed partial class DeploymentConvergeStep
{
    /// <summary>
    /// Rollover, as Kubernetes does it: a revision replaced while it was rolling out gives way to the current one
    /// instead of finishing first. Its replicas that serve no traffic go at once; old replicas beyond the desired
    /// count go too (superseded revisions first, then not ready, then newest), so the surge of one new replica can
    /// start; ready old replicas up to the desired count stay until new ones replace them, so traffic never drops
    /// below the desired count. Revisions superseded before they were ready get the outcome "superseded by revision N".
    /// </summary>
    private async Task RollOverAsync(Deployment d, IPodDriver driver, DeploymentRevision current, List<DeploymentRevision> revisions, List<Replica> old, CancellationToken cancellationToken)
    {
        var stable = d.StableRevision is { } s ? revisions.FirstOrDefault(r => r.Number == s) : null;
        var superseded = revisions
            .Where(r => r.Number < current.Number && r.Outcome is null && (stable is null || !ReplicaPods.SameConfiguration(r, stable)))
            .ToList();
        foreach (var revision in superseded)
        {
            revision.Outcome = $"superseded by revision {current.Number}";
            if (old.Any(r => r.Revision == revision.Number))
            {
                await events.RecordAsync(d.Id, "RolloutSuperseded", "superseded", $"revision {revision.Number} was superseded by revision {current.Number} before it was ready; its replicas make way", cancellationToken: cancellationToken);
            }
        }

        bool IsSuperseded(Replica replica) =>
            stable is null || revisions.FirstOrDefault(r => r.Number == replica.Revision) is not { } revision || !ReplicaPods.SameConfiguration(revision, stable);

        foreach (var replica in old.Where(r => !r.Ready && IsSuperseded(r)).ToList())
        {
            await RetireAsync(d, driver, replica, $"superseded by revision {current.Number}", cancellationToken);
            old.Remove(replica);
        }

        while (old.Count > d.Replicas)
        {
            var victim = old.OrderByDescending(IsSuperseded).ThenBy(r => r.Ready).ThenByDescending(r => r.CreatedAt).First();
            await RetireAsync(d, driver, victim, $"superseded by revision {current.Number}", cancellationToken);
            old.Remove(victim);
        }
    }
}
