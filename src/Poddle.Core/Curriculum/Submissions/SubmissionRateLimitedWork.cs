using Microsoft.EntityFrameworkCore;
using Poddle.Core.Executions;
using Poddle.Core.Persistence;

namespace Poddle.Core.Curriculum.Submissions;

/// <summary>Graded submissions run code too, so they count against the client's execution allowance (<see cref="IRateLimitedWork"/>).</summary>
public sealed class SubmissionRateLimitedWork(PoddleDbContext db) : IRateLimitedWork
{
    public async Task<IReadOnlyList<DateTimeOffset>> NewestAsync(string rateKey, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        await db.Set<Submission>().AsNoTracking()
            .Where(s => s.RateKey == rateKey && s.CreatedAt > since)
            .OrderByDescending(s => s.CreatedAt)
            .Take(limit)
            .Select(s => s.CreatedAt)
            .ToListAsync(cancellationToken);
}
