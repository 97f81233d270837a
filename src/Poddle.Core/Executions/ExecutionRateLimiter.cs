using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Executions;

/// <summary>
/// The per-client limits on running code (<see cref="ExecutionOptions.RateLimit"/>). Plain runs (executions) and graded
/// submissions count together in one window per client: a grade runs code just as a run does, so a client cannot get
/// twice the allowance by alternating the two. Work of other features counts through <see cref="IRateLimitedWork"/>.
/// </summary>
public sealed class ExecutionRateLimiter(PoddleDbContext db, IEnumerable<IRateLimitedWork> otherWork, IOptions<ExecutionOptions> options)
{
    /// <summary>An error (429 with Retry-After) when <paramref name="submitter"/> has used a window's allowance; null when it may run code now.</summary>
    public async Task<Error?> CheckAsync(Submitter submitter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submitter);
        var limits = options.Value.RateLimit;
        if (submitter.IsAdmin && limits.ExemptAdmins)
        {
            return null;
        }

        foreach (var (window, limit, name) in new[]
                 {
                     (TimeSpan.FromMinutes(1), limits.PerMinute, "minute"),
                     (TimeSpan.FromHours(1), limits.PerHour, "hour"),
                     (TimeSpan.FromDays(1), limits.PerDay, "day"),
                 })
        {
            var since = now - window;

            // The limit-th most recent run or grade inside the window: when it exists, the window is full until it
            // leaves. Each table gives at most its own newest `limit`; the merged limit-th is the same as a union's.
            var runs = await db.Set<Execution>().AsNoTracking()
                .Where(e => e.RateKey == submitter.RateKey && e.CreatedAt > since)
                .OrderByDescending(e => e.CreatedAt)
                .Take(limit)
                .Select(e => e.CreatedAt)
                .ToListAsync(cancellationToken);
            foreach (var work in otherWork)
            {
                runs.AddRange(await work.NewestAsync(submitter.RateKey, since, limit, cancellationToken));
            }

            var counted = runs.OrderDescending().Take(limit).ToList();
            if (counted.Count >= limit)
            {
                var retryAfter = counted[^1] + window - now;
                return new Error(
                    ErrorKind.RateLimited,
                    ExecutionErrorCodes.RateLimited,
                    $"At most {limit} executions per {name} (runs and graded submissions count together); try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.",
                    RetryAfter: retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : retryAfter);
            }
        }

        return null;
    }
}
