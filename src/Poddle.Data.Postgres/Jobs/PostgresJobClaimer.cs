using Microsoft.EntityFrameworkCore;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Data.Postgres.Jobs;

/// <summary>
/// Claims with one statement. FOR UPDATE SKIP LOCKED makes concurrent claimers (any number of servers) pass over
/// a row another claimer is taking instead of waiting for it or taking it too, so each claim gets a different job.
/// The time comes from the caller's clock, not now(), so every server agrees with its own TimeProvider (and tests
/// can use a fake one).
/// </summary>
internal sealed class PostgresJobClaimer : IJobClaimer
{
    public bool OwnedByOneServer => false;

    public async Task<Job?> ClaimAsync(PoddleDbContext db, string leaseOwner, DateTimeOffset now, DateTimeOffset leaseExpiresAt, JobKindFilter kinds, CancellationToken cancellationToken)
    {
        var running = nameof(JobState.Running);
        var queued = nameof(JobState.Queued);
        var only = kinds.Only.ToArray();
        var except = kinds.Except.ToArray();
        var claimed = db.Set<Job>().FromSql($"""
            UPDATE jobs
               SET state = {running}, attempts = attempts + 1, lease_owner = {leaseOwner},
                   lease_expires_at = {leaseExpiresAt}, started_at = {now}
             WHERE id = (
                   SELECT id FROM jobs
                    WHERE ((state = {queued} AND run_at <= {now})
                           OR (state = {running} AND lease_expires_at < {now}))
                      AND (cardinality({only}) = 0 OR kind = ANY({only}))
                      AND NOT (kind = ANY({except}))
                    ORDER BY run_at
                    LIMIT 1
                      FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().AsAsyncEnumerable();
        await foreach (var job in claimed.WithCancellation(cancellationToken))
        {
            return job;
        }

        return null;
    }
}
