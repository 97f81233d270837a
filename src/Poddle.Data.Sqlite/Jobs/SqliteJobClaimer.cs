using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Data.Sqlite.Jobs;

/// <summary>
/// Claims with one UPDATE ... RETURNING. SQLite has a single writer, so the statement's select and update cannot
/// interleave with another claim; one server owns a SQLite queue. Timestamps are UTC microseconds since the Unix
/// epoch, as <see cref="SqlitePoddleDbContext"/> stores them (raw SQL parameters bypass EF's value converters).
/// </summary>
internal sealed class SqliteJobClaimer : IJobClaimer
{
    public bool OwnedByOneServer => true;

    public async Task<Job?> ClaimAsync(PoddleDbContext db, string leaseOwner, DateTimeOffset now, DateTimeOffset leaseExpiresAt, JobKindFilter kinds, CancellationToken cancellationToken)
    {
        var running = nameof(JobState.Running);
        var queued = nameof(JobState.Queued);
        var nowMicros = SqlitePoddleDbContext.ToUnixMicroseconds(now);
        var expiresMicros = SqlitePoddleDbContext.ToUnixMicroseconds(leaseExpiresAt);
        var only = JsonSerializer.Serialize(kinds.Only);
        var except = JsonSerializer.Serialize(kinds.Except);
        var claimed = db.Set<Job>().FromSql($"""
            UPDATE jobs
               SET state = {running}, attempts = attempts + 1, lease_owner = {leaseOwner},
                   lease_expires_at = {expiresMicros}, started_at = {nowMicros}
             WHERE id = (
                   SELECT id FROM jobs
                    WHERE ((state = {queued} AND run_at <= {nowMicros})
                           OR (state = {running} AND lease_expires_at < {nowMicros}))
                      AND (json_array_length({only}) = 0 OR kind IN (SELECT value FROM json_each({only})))
                      AND kind NOT IN (SELECT value FROM json_each({except}))
                    ORDER BY run_at
                    LIMIT 1)
            RETURNING *
            """).AsNoTracking().AsAsyncEnumerable();
        await foreach (var job in claimed.WithCancellation(cancellationToken))
        {
            return job;
        }

        return null;
    }
}
