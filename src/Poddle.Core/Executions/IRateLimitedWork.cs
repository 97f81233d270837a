namespace Poddle.Core.Executions;

/// <summary>
/// Other work that runs code on a client's execution allowance (graded submissions): the narrow query the
/// <see cref="ExecutionRateLimiter"/> asks of the features that own such work, so executions depend on none of them.
/// </summary>
public interface IRateLimitedWork
{
    /// <summary>When the client's newest (at most <paramref name="limit"/>) pieces of work after <paramref name="since"/> were created, newest first.</summary>
    Task<IReadOnlyList<DateTimeOffset>> NewestAsync(string rateKey, DateTimeOffset since, int limit, CancellationToken cancellationToken);
}
