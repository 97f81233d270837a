using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>The pod drivers this server has (registered as <see cref="IPodDriver"/> singletons by the host), by name.</summary>
public sealed class PodDriverRegistry(IEnumerable<IPodDriver> drivers)
{
    private readonly Dictionary<string, IPodDriver> byName = drivers.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<IPodDriver> All => byName.Values;

    public IReadOnlyCollection<string> Names => byName.Keys;

    public IPodDriver? Find(string name) => byName.GetValueOrDefault(name);
}
