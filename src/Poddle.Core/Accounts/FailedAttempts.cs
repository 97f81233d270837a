using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

/// <summary>
/// Counts failed attempts (sign-ins, two-factor codes) under a key in the database, so limits hold across restarts and
/// across servers sharing PostgreSQL. An attempt counts for <see cref="AuthOptions.FailedLoginWindow"/>; at the limit,
/// every further attempt under the key is refused until the oldest counted failure leaves the window.
/// </summary>
public sealed class FailedAttempts(PoddleDbContext db, IOptions<AuthOptions> options, TimeProvider clock)
{
    /// <summary>How long to wait when <paramref name="max"/> failures under <paramref name="key"/> are in the window; null when below.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string key, int max, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var window = options.Value.FailedLoginWindow;
        var since = now - window;
        var recent = await db.LoginFailures
            .Where(f => f.Key == key && f.OccurredAt > since)
            .OrderBy(f => f.OccurredAt)
            .Select(f => f.OccurredAt)
            .ToListAsync(cancellationToken);
        if (recent.Count < max)
        {
            return null;
        }

        var retryAfter = recent[^max] + window - now;
        return retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : retryAfter;
    }

    /// <summary>Adds a failure under each key to the caller's unit of work.</summary>
    public void Add(params ReadOnlySpan<string> keys)
    {
        var now = clock.GetStoredUtcNow();
        foreach (var key in keys)
        {
            db.LoginFailures.Add(new LoginFailure { Key = key, OccurredAt = now });
        }
    }

    public async Task ClearAsync(string key, CancellationToken cancellationToken) =>
        await db.LoginFailures.Where(f => f.Key == key).ExecuteDeleteAsync(cancellationToken);
}
