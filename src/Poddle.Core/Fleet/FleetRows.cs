using Microsoft.EntityFrameworkCore;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Runtime;
using Poddle.Core.Pools.Scaling;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Fleet;

/// <summary>
/// The database's side of one driver's pods: every replica and worker row of the driver by (owner id, replica or
/// worker id), with whether it is live and the pod it records. Read after the pods are listed: both controllers write
/// a row before they start its pod (a replica is saved Starting, a worker Spawning), so a pod in the listing has its row
/// in this read unless the row ended in between.
/// </summary>
internal sealed class FleetRows
{
    private readonly Dictionary<(string Kind, Guid Id, string Replica), (bool Live, string? PodId)> _rows = [];
    private readonly List<FleetRow> _liveWithPod = [];

    /// <summary>Running replicas and live workers that record a pod.</summary>
    public IReadOnlyList<FleetRow> LiveWithPod => _liveWithPod;

    public static async Task<FleetRows> LoadAsync(PoddleDbContext db, string driver, CancellationToken cancellationToken)
    {
        var rows = new FleetRows();
        var replicas = await db.Replicas.AsNoTracking()
            .Where(r => r.Driver == driver)
            .Select(r => new { r.DeploymentId, r.Id, r.Phase, r.PodId, r.PodStateVersion, r.PodState, Deleted = db.Deployments.Any(d => d.Id == r.DeploymentId && d.DeletedAt != null) })
            .ToListAsync(cancellationToken);
        foreach (var r in replicas)
        {
            var live = r.Phase != ReplicaPhase.Stopped && !r.Deleted;
            rows._rows[(ReplicaPods.PodKind, r.DeploymentId, r.Id.ToString("N"))] = (live, r.PodId);
            if (live && r.Phase == ReplicaPhase.Running && r.PodId is not null)
            {
                rows._liveWithPod.Add(new FleetRow(ReplicaPods.PodKind, r.DeploymentId, r.Id.ToString("N"), r.PodId, r.PodStateVersion, r.PodState ?? string.Empty));
            }
        }

        var workers = await db.Set<PoolWorker>().AsNoTracking()
            .Where(w => w.Driver == driver)
            .Select(w => new { w.PoolId, w.WorkerId, w.State, w.PodId, w.PodStateVersion, w.PodState })
            .ToListAsync(cancellationToken);
        foreach (var w in workers)
        {
            var live = w.State != WorkerStates.Terminated && w.State != WorkerStates.Failed;
            rows._rows[(PoolWorkerPods.PodKind, w.PoolId, w.WorkerId)] = (live, w.PodId);
            if (live && w.PodId is not null)
            {
                rows._liveWithPod.Add(new FleetRow(PoolWorkerPods.PodKind, w.PoolId, w.WorkerId, w.PodId, w.PodStateVersion, w.PodState ?? string.Empty));
            }
        }

        return rows;
    }

    public FleetPodClass Classify(PodHandle pod)
    {
        var labels = pod.Labels;
        if (!labels.TryGetValue(PodLabels.Kind, out var kind)
            || !Guid.TryParseExact(labels.GetValueOrDefault(PodLabels.Id), "N", out var id)
            || !labels.TryGetValue(PodLabels.Replica, out var replica)
            || !_rows.TryGetValue((kind, id, replica), out var row))
        {
            return FleetPodClass.Orphan;
        }

        return row.Live && (row.PodId is null || row.PodId == pod.PodId) ? FleetPodClass.Known : FleetPodClass.Pending;
    }
}
