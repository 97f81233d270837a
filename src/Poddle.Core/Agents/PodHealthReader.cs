using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Agents;

/// <summary>
/// Reads pods' health for the API. "lost" is decided on read as well as by <see cref="AgentLostMonitor"/> (which records
/// the event), so an API-only server or a monitor pass not yet run still shows the truth.
/// </summary>
public sealed class PodHealthReader(PoddleDbContext db, IOptions<AgentOptions> options, TimeProvider clock) : IReplicaHealthQuery
{
    /// <summary>Health per replica id; replicas without a row are absent (callers show <see cref="PodHealth.Unknown"/>).</summary>
    public async Task<IReadOnlyDictionary<Guid, PodHealth>> GetAsync(IReadOnlyCollection<Guid> replicaIds, CancellationToken cancellationToken)
    {
        if (replicaIds.Count == 0)
        {
            return new Dictionary<Guid, PodHealth>();
        }

        var ids = replicaIds.ToList();
        var rows = await db.Set<ReplicaAgent>().AsNoTracking().Where(a => ids.Contains(a.ReplicaId)).ToListAsync(cancellationToken);
        return rows.ToDictionary(a => a.ReplicaId, ToHealth);
    }

    /// <summary>The health of one replica of one of <paramref name="ownerId"/>'s deployments; not found for anyone else's.</summary>
    public async Task<Result<PodHealth>> GetForOwnerAsync(Guid ownerId, Guid deploymentId, Guid replicaId, CancellationToken cancellationToken)
    {
        var exists = await (
                from r in db.Replicas.AsNoTracking()
                join d in db.Deployments.AsNoTracking() on r.DeploymentId equals d.Id
                where r.Id == replicaId && d.Id == deploymentId && d.OwnerId == ownerId
                select r.Id)
            .AnyAsync(cancellationToken);
        if (!exists)
        {
            return Error.NotFound("Replica");
        }

        var row = await db.Set<ReplicaAgent>().AsNoTracking().FirstOrDefaultAsync(a => a.ReplicaId == replicaId, cancellationToken);
        return row is null ? PodHealth.Unknown : ToHealth(row);
    }

    private PodHealth ToHealth(ReplicaAgent row)
    {
        if (row.LastHeartbeatAt is not { } last)
        {
            return PodHealth.Unknown;
        }

        var lost = row.LostAt is not null || clock.GetUtcNow() - last > options.Value.LostAfter;
        return new PodHealth(lost ? PodHealthStatuses.Lost : row.ReportStatus ?? PodHealthStatuses.Unknown, last, row.ReportJson);
    }
}
