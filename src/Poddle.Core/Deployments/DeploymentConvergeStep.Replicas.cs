using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

public sealed partial class DeploymentConvergeStep
{
    private async Task ProbeNewAsync(IPodDriver driver, DeploymentRevision current, List<Replica> fresh, CancellationToken cancellationToken)
    {
        var spec = ReplicaPods.ReadSpec(current);
        var now = clock.GetStoredUtcNow();
        foreach (var replica in fresh.Where(r => r.Phase == ReplicaPhase.Running && !r.Ready && r.PodId is not null))
        {
            if (replica.StartedAt is { } started && now < started.AddSeconds(spec.HealthCheck?.InitialDelaySeconds ?? 0))
            {
                continue;
            }

            var endpoint = replica.EndpointHost is { } host && replica.EndpointPort is { } port ? new PodEndpoint(host, port) : null;
            var probe = await prober.ProbeAsync(spec.HealthCheck, spec.Port, endpoint, driver, await pods.HandleAsync(replica, cancellationToken), cancellationToken);
            if (probe.Healthy)
            {
                replica.Ready = true;
                replica.ReadySince = now;
                replica.ProbeFailures = 0;
                replica.UpdatedAt = now;
                RoutingChanged = true;
                await events.RecordAsync(replica.DeploymentId, "ReplicaReady", "ready", $"replica {Short(replica)} of revision {replica.Revision} is ready ({probe.Detail})", replica.Id, cancellationToken: cancellationToken);
            }
        }
    }

    private async Task<Replica> StartNewAsync(Deployment d, IPodDriver driver, DeploymentRevision revision, CancellationToken cancellationToken)
    {
        var replica = pods.NewReplica(d, revision.Number);
        db.Replicas.Add(replica);

        // Saved before the pod starts: a step killed mid-start leaves a row the next step (or the reconciler) adopts the pod for.
        await db.SaveChangesAsync(cancellationToken);
        _startedNow.Add(replica);
        await pods.StartAsync(driver, d, revision, replica, cancellationToken);
        await events.RecordAsync(d.Id, "ReplicaStarted", "started", $"replica {Short(replica)} of revision {revision.Number} started", replica.Id, cancellationToken: cancellationToken);
        return replica;
    }

    private async Task RetireAsync(Deployment d, IPodDriver driver, Replica replica, string reason, CancellationToken cancellationToken)
    {
        if (replica.Ready)
        {
            // Out of the routes first, then stopped: the proxy stops sending before SIGTERM.
            replica.Ready = false;
            replica.ReadySince = null;
            await db.SaveChangesAsync(cancellationToken);
            changes.Notify(d.Id);
        }

        await pods.RetireAsync(driver, replica, reason, cancellationToken);
        RoutingChanged = true;
        await events.RecordAsync(d.Id, "ReplicaStopped", "stopped", $"replica {Short(replica)} of revision {replica.Revision} stopped: {reason}", replica.Id, cancellationToken: cancellationToken);
    }

    private async Task SettleAsync(Deployment d, DeploymentRevision current, List<Replica> fresh, CancellationToken cancellationToken)
    {
        var (status, reason) = DeploymentHealthPolicy.Evaluate(d, fresh);
        if (d.StableRevision != current.Number && d.Replicas > 0)
        {
            d.StableRevision = current.Number;
            await events.RecordAsync(d.Id, "RolloutComplete", "ready", $"revision {current.Number} is ready on {d.Replicas} replicas", cancellationToken: cancellationToken);
        }

        if (d.Replicas > 0)
        {
            current.Outcome ??= "ready";
        }

        await events.SetStatusAsync(d, status, reason, cancellationToken);
        d.ObservedGeneration = d.Generation;
    }

    private async Task<bool> DeleteAsync(Deployment d, List<Replica> replicas, IPodDriver? driver, CancellationToken cancellationToken)
    {
        if (replicas.Count > 0 && driver is null)
        {
            throw new InvalidOperationException($"Deployment {d.Id} runs on driver '{d.Driver}', which this server does not have; cannot delete its pods.");
        }

        if (d.Status != DeploymentStatus.Deleting && d.Status != DeploymentStatus.Deleted)
        {
            await events.SetStatusAsync(d, DeploymentStatus.Deleting, "deletion requested", cancellationToken);
        }

        foreach (var replica in replicas)
        {
            await RetireAsync(d, driver!, replica, "deployment deleted", cancellationToken);
        }

        d.DeletedAt ??= clock.GetStoredUtcNow();
        await events.SetStatusAsync(d, DeploymentStatus.Deleted, "every pod is destroyed", cancellationToken);
        d.ObservedGeneration = d.Generation;
        return true;
    }
}
