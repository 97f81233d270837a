using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Pools;

/// <summary>
/// Pools' part of maintenance (<see cref="MaintenanceJob"/>): times out runs past their execution deadline, then deletes
/// jobs past their ttl (with their stream chunks), whatever their status, as RunPod does. Idempotent.
/// </summary>
public sealed partial class PoolJobsCleanup(PoddleDbContext db, PoolJobService jobs, ILogger<PoolJobsCleanup> logger) : IMaintenanceTask
{
    public async Task RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await jobs.TimeOutOverdueAsync(null, cancellationToken);
        var deleted = await db.PoolJobs.Where(j => j.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        LogDeleted(logger, deleted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Maintenance deleted {Count} pool jobs past their ttl")]
    private static partial void LogDeleted(ILogger logger, int count);
}
