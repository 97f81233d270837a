using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Poddle.Server.Proxy;

/// <summary>
/// Passive health of replicas: one that refused or dropped a connection gets no traffic for
/// <see cref="ProxyOptions.ReactivationPeriod"/>, then is tried again. Picks are round robin over the healthy
/// replicas; when none is healthy, round robin over all (a replica marked down may have come back).
/// State is keyed by "host:port", so it survives route table rebuilds.
/// </summary>
public sealed class PassiveHealth(IOptions<ProxyOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, long> _downUntil = new(StringComparer.Ordinal);

    /// <summary>Picks a destination other than <paramref name="exclude"/> when there is one.</summary>
    public ProxyDestination Pick(ProxyRoute route, ProxyDestination? exclude = null)
    {
        var all = route.Destinations;
        var start = route.NextIndex();
        if (all.Count == 1)
        {
            return all[0];
        }

        var now = _downUntil.IsEmpty ? 0 : clock.GetTimestamp();
        ProxyDestination? fallback = null;
        for (var i = 0; i < all.Count; i++)
        {
            var candidate = all[(start + i) % all.Count];
            if (ReferenceEquals(candidate, exclude) || candidate == exclude)
            {
                continue;
            }

            if (now == 0 || !_downUntil.TryGetValue(candidate.Key, out var until) || until <= now)
            {
                return candidate;
            }

            fallback ??= candidate;
        }

        return fallback ?? all[start % all.Count];
    }

    /// <summary>Takes a destination out of rotation for the reactivation period.</summary>
    public void MarkFailed(ProxyDestination destination) =>
        _downUntil[destination.Key] = clock.GetTimestamp() + (long)(options.Value.ReactivationPeriod.TotalSeconds * clock.TimestampFrequency);

    /// <summary>Puts a destination back as soon as it answers again.</summary>
    public void MarkHealthy(ProxyDestination destination)
    {
        if (!_downUntil.IsEmpty)
        {
            _downUntil.TryRemove(destination.Key, out _);
        }
    }

    /// <summary>Whether a destination is currently out of rotation.</summary>
    public bool IsDown(ProxyDestination destination) =>
        _downUntil.TryGetValue(destination.Key, out var until) && until > clock.GetTimestamp();
}
