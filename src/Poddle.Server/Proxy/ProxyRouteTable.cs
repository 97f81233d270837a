using System.Collections.Frozen;
using Poddle.Core.Deployments;

namespace Poddle.Server.Proxy;

/// <summary>A replica the proxy may send requests to.</summary>
/// <param name="Key">"host:port", the key of its passive health state (kept across route rebuilds).</param>
/// <param name="Prefix">The destination prefix given to the forwarder ("http://127.0.0.1:41234/").</param>
public sealed record ProxyDestination(string Key, string Prefix);

/// <summary>
/// One deployment as the proxy sees it: its name for metrics and its ready replicas. The round-robin position is
/// handed from one table to the next, so frequent rebuilds do not skew the balance towards the first replica.
/// </summary>
public sealed class ProxyRoute(Guid deploymentId, string name, IReadOnlyList<ProxyDestination> destinations, ProxyRoute? previous = null)
{
    private readonly RoundRobin _position = previous?._position ?? new RoundRobin();

    public Guid DeploymentId { get; } = deploymentId;

    /// <summary>"{deployment}-{project}", the metrics label.</summary>
    public string Name { get; } = name;

    /// <summary>Ready, running replicas with an endpoint; empty when none is ready.</summary>
    public IReadOnlyList<ProxyDestination> Destinations { get; } = destinations;

    /// <summary>Round robin position, advanced once per pick.</summary>
    internal int NextIndex() => Interlocked.Increment(ref _position.Next) & int.MaxValue;

    private sealed class RoundRobin
    {
        public int Next = -1;
    }
}

/// <summary>
/// An immutable snapshot of every routed host name, swapped whole when the database changes: a request looks its host
/// up in memory and never touches the database.
/// </summary>
public sealed class ProxyRouteTable
{
    public static readonly ProxyRouteTable Empty = new("localhost", FrozenDictionary<string, ProxyRoute>.Empty);

    public ProxyRouteTable(string baseDomain, IReadOnlyDictionary<string, ProxyRoute> routes)
    {
        BaseDomain = DeploymentHostNames.Normalize(baseDomain);
        Routes = routes.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public string BaseDomain { get; }

    /// <summary>Each deployment's route (a deployment with a custom domain appears once).</summary>
    public IEnumerable<ProxyRoute> Deployments => Routes.Values.Distinct();

    /// <summary>Host name (lower case, no port) → route.</summary>
    public FrozenDictionary<string, ProxyRoute> Routes { get; }

    /// <summary>Finds the route of a request's host (the Host header's host part, any case).</summary>
    public bool TryFind(string host, out ProxyRoute route)
    {
        // The table's comparer ignores case; only a trailing dot ("web-demo.localhost.") needs trimming.
        return Routes.TryGetValue(host, out route!) || (host.EndsWith('.') && Routes.TryGetValue(host.TrimEnd('.'), out route!));
    }

    /// <summary>Whether <paramref name="host"/> is a subdomain of the base domain (an app host, known or not).</summary>
    public bool IsAppDomain(string host) => DeploymentHostNames.IsUnder(DeploymentHostNames.Normalize(host), BaseDomain);
}
