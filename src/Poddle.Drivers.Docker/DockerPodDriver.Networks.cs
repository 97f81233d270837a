using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Host;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker;

/// <summary>
/// Tenant networks (<see cref="DockerDriverOptions.IsolateTenants"/>): every tenant's pods (<see cref="PodLabels.Tenant"/>,
/// else <see cref="PodLabels.Owner"/>) join a bridge network of their own, made with the first pod and removed with the
/// last. The table inet poddle_docker keeps them apart itself: a packet routed from one tenant bridge (interfaces pdl-*)
/// to another is refused — Docker's own DOCKER-ISOLATION chains do the same, but they are iptables rules of the engine's
/// that an engine started with iptables=false never makes and that have been seen missing while networks come and go —
/// and a new connection from a tenant bridge to the host itself (any of the host's addresses is routed to the host) is
/// refused but to the agent listener's port. See docs/security.md, "Network isolation".
/// </summary>
public sealed partial class DockerPodDriver
{
    /// <summary>The nftables table (family inet) the Docker driver owns.</summary>
    public const string FirewallTable = "poddle_docker";

    /// <summary>Prefix of every tenant network's Linux bridge (at most 15 characters in all).</summary>
    public const string BridgePrefix = "pdl-";

    private const string NetworkKind = "network";
    private const string TenantNetworkPrefix = "poddle-net-";
    private const string AgentPortsSet = "agent_ports";
    private const string SameBridgeSet = "same_bridge";

    // One lock per tenant network: making it, a pod joining it (create and start) and removing it never interleave, so a
    // network is never removed between a pod's create and its start. Owners are few, so the locks are kept.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _networkLocks = new(StringComparer.Ordinal);
    private NftablesTable? _firewall;
    private volatile bool _firewallApplied;

    /// <summary>Whether pods of different tenants are kept apart and off the host (isolation on, nft installed).</summary>
    private bool IsolatesTenants => _options.IsolateTenants && File.Exists(_options.NftPath);

    /// <summary>The tenant network of <paramref name="tenant"/>: a stable name from a digest of the tenant's id.</summary>
    internal static (string Network, string Bridge) TenantNetworkNames(string tenant)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant)));
        return (TenantNetworkPrefix + digest[..16], BridgePrefix + digest[..11]);
    }

    /// <summary>The agent listeners' ports of every Poddle server on this host.</summary>
    internal static IReadOnlyList<NftablesSet> FirewallSets { get; } =
    [
        new(AgentPortsSet, "inet_service"),
        // Filled by the packet path: every tenant bridge B a packet comes in on puts (B, B) here, so "in . out" is in the
        // set exactly when a packet stays on its own bridge (nft compares a value with constants and sets, never with
        // another value of the same packet). An hour unseen and a pair goes; the next packet puts it back.
        new(SameBridgeSet, "ifname . ifname", "flags dynamic,timeout; timeout 1h; size 65536;"),
    ];

    /// <summary>
    /// From the tenant bridges to the host: answers on connections the host made pass (the proxy's, to a pod), a new
    /// connection passes only to an agent listener's port, anything else is refused. Forwarded out of them: not to
    /// link-local addresses (a cloud's metadata service hands out the machine's credentials), and not to another tenant
    /// bridge (pods of one tenant still reach each other: that traffic is bridged, in and out on the same bridge).
    /// </summary>
    internal static IReadOnlyList<NftablesChain> FirewallChains { get; } =
    [
        new("input", "type filter hook input priority filter - 5; policy accept;", [$"iifname \"{BridgePrefix}*\" jump pod_to_host"]),
        // A TCP reset, not an ICMP error: a client sees "connection refused" at once, as from a closed port.
        new("pod_to_host", null, ["ct state established,related accept", $"tcp dport @{AgentPortsSet} accept", "meta l4proto tcp reject with tcp reset", "reject"]),
        new("forward", "type filter hook forward priority filter - 5; policy accept;",
        [
            $"iifname \"{BridgePrefix}*\" ip daddr 169.254.0.0/16 reject",
            $"iifname \"{BridgePrefix}*\" oifname \"{BridgePrefix}*\" jump tenant_to_tenant",
        ]),
        new("tenant_to_tenant", null,
        [
            $"update @{SameBridgeSet} {{ iifname . iifname }}",
            $"iifname . oifname @{SameBridgeSet} return",
            "meta l4proto tcp reject with tcp reset",
            "reject",
        ]),
    ];

    /// <summary>Whose network a pod joins: its tenant, else (a pod without one) its owner; null when tenants are not isolated.</summary>
    private string? NetworkTenant(IReadOnlyDictionary<string, string> labels) =>
        !_options.IsolateTenants ? null
        : labels.TryGetValue(PodLabels.Tenant, out var tenant) && tenant.Length > 0 ? tenant
        : labels.TryGetValue(PodLabels.Owner, out var owner) && owner.Length > 0 ? owner
        : "unowned";

    /// <summary>Holds the tenant network's lock until disposed (nothing to hold when tenants are not isolated).</summary>
    private async Task<IDisposable?> LockNetworkAsync(string? network, CancellationToken cancellationToken)
    {
        if (network is null)
        {
            return null;
        }

        var semaphore = _networkLocks.GetOrAdd(network, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken);
        return new Releaser(semaphore);
    }

    /// <summary>
    /// The network a pod joins: its tenant's (made now if needed; the caller holds its lock) when tenants are isolated,
    /// else the configured one.
    /// </summary>
    private async Task<string> NetworkForAsync(string? tenant, CancellationToken cancellationToken)
    {
        if (tenant is null)
        {
            return _options.Network;
        }

        if (!IsolatesTenants)
        {
            throw new PodDriverException(
                PodFailureKind.DriverUnavailable,
                $"isolating tenants needs nftables ({_options.NftPath} is missing: apt-get install nftables), or set Docker:IsolateTenants=false to run every pod on one shared network");
        }

        await EnsureFirewallAsync(cancellationToken);
        return await EnsureTenantNetworkAsync(tenant, cancellationToken);
    }

    private async Task EnsureFirewallAsync(CancellationToken cancellationToken)
    {
        _firewall ??= new NftablesTable("inet", FirewallTable, _options.NftPath);
        if (_firewallApplied && await _firewall.ExistsAsync(cancellationToken))
        {
            return;
        }

        // Atomic and idempotent, and other servers' agent ports stay in the set: two callers at once do no harm.
        var ports = _options.AgentPort > 0 ? [_options.AgentPort.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>();
        await _firewall.ApplyAsync(FirewallSets, FirewallChains, new Dictionary<string, IReadOnlyList<string>> { [AgentPortsSet] = ports }, cancellationToken);
        _firewallApplied = true;
    }

    private async Task<string> EnsureTenantNetworkAsync(string tenant, CancellationToken cancellationToken)
    {
        var (name, bridge) = TenantNetworkNames(tenant);
        {
            if (await TryInspectNetworkAsync(name, cancellationToken) is not null)
            {
                return name;
            }

            // Another server (or a concurrent create) may take the same subnet: try the next free one a few times.
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var subnet = await FreeSubnetAsync(attempt, cancellationToken);
                try
                {
                    await _client.Networks.CreateNetworkAsync(
                        new NetworksCreateParameters
                        {
                            Name = name,
                            Driver = "bridge",
                            Options = new Dictionary<string, string> { [BridgeNameOption] = bridge },
                            Labels = new Dictionary<string, string> { [PodLabels.Tenant] = tenant, [PodLabels.Kind] = NetworkKind },
                            IPAM = new IPAM { Config = [new IPAMConfig { Subnet = subnet.Subnet, Gateway = subnet.Gateway }] },
                        },
                        cancellationToken);
                    LogNetworkCreated(_logger, name, subnet.Subnet);
                    return name;
                }
                catch (DockerApiException ex)
                {
                    if (ex.StatusCode == HttpStatusCode.Conflict || await TryInspectNetworkAsync(name, cancellationToken) is not null)
                    {
                        // Made by another server meanwhile.
                        return name;
                    }

                    if (!Describe(ex).Contains("overlap", StringComparison.OrdinalIgnoreCase))
                    {
                        throw;
                    }

                    LogSubnetTaken(_logger, subnet.Subnet);
                }
            }

            throw new PodDriverException(PodFailureKind.InsufficientResources, $"no free subnet for the tenant's network in {_options.TenantNetworkPool}");
        }
    }

    /// <summary>
    /// Removes <paramref name="name"/>, an tenant network a destroyed container was on, when no container is left on it;
    /// a network in use or already gone, or one that is not an tenant network, is left alone.
    /// </summary>
    private async Task RemoveTenantNetworkIfUnusedAsync(string? name, CancellationToken cancellationToken)
    {
        if (name is null || !name.StartsWith(TenantNetworkPrefix, StringComparison.Ordinal))
        {
            return;
        }

        using var held = await LockNetworkAsync(name, cancellationToken);
        try
        {
            var containers = await _client.Containers.ListContainersAsync(
                new ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["network"] = new Dictionary<string, bool> { [name] = true } },
                },
                cancellationToken);
            if (containers.Count > 0)
            {
                return;
            }

            await _client.Networks.DeleteNetworkAsync(name, cancellationToken);
            LogNetworkRemoved(_logger, name);
        }
        catch (DockerApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.Forbidden)
        {
            // Gone already, or a container joined meanwhile: it stays.
        }
    }

    private async Task<NetworkResponse?> TryInspectNetworkAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.Networks.InspectNetworkAsync(name, cancellationToken);
        }
        catch (DockerNetworkNotFoundException)
        {
            return null;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The <paramref name="skip"/>-th subnet of the pool that no network of the engine uses yet.</summary>
    private async Task<(string Subnet, string Gateway)> FreeSubnetAsync(int skip, CancellationToken cancellationToken)
    {
        var used = new List<(BigInteger Start, BigInteger End)>();
        foreach (var network in await _client.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken))
        {
            foreach (var config in network.IPAM?.Config ?? [])
            {
                if (TryParseCidr(config.Subnet, out var start, out var length))
                {
                    used.Add((start, start + (BigInteger.One << (32 - length)) - 1));
                }
            }
        }

        if (!TryParseCidr(_options.TenantNetworkPool, out var pool, out var poolLength))
        {
            throw new PodDriverException(PodFailureKind.Other, $"Docker:TenantNetworkPool '{_options.TenantNetworkPool}' is not an IPv4 CIDR block");
        }

        var size = BigInteger.One << (32 - _options.TenantNetworkPrefixLength);
        var count = BigInteger.One << (_options.TenantNetworkPrefixLength - poolLength);
        var found = 0;
        for (BigInteger i = 0; i < count; i++)
        {
            var start = pool + (i * size);
            var end = start + size - 1;
            if (used.Any(u => u.Start <= end && start <= u.End) || found++ < skip)
            {
                continue;
            }

            var prefix = _options.TenantNetworkPrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (ToAddress(start) + "/" + prefix, ToAddress(start + 1));
        }

        throw new PodDriverException(PodFailureKind.InsufficientResources, $"every subnet of Docker:TenantNetworkPool {_options.TenantNetworkPool} is in use");
    }

    internal static bool TryParseCidr(string? text, out BigInteger start, out int length)
    {
        start = 0;
        length = 0;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length)
            || length is < 0 or > 32)
        {
            return false;
        }

        var value = new BigInteger(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
        var mask = ((BigInteger.One << length) - 1) << (32 - length);
        start = value & mask;
        return true;
    }

    private static string ToAddress(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[4];
        bytes.CopyTo(padded, 4 - bytes.Length);
        return new IPAddress(padded).ToString();
    }

    private static bool IsNetworkGone(DockerApiException ex) =>
        ex.StatusCode == HttpStatusCode.NotFound && Describe(ex).Contains("network", StringComparison.OrdinalIgnoreCase);

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Docker: tenant network {Network} created on {Subnet}")]
    private static partial void LogNetworkCreated(ILogger logger, string network, string subnet);

    [LoggerMessage(Level = LogLevel.Information, Message = "Docker: tenant network {Network} removed (no pod left on it)")]
    private static partial void LogNetworkRemoved(ILogger logger, string network);

    [LoggerMessage(Level = LogLevel.Information, Message = "Docker: the tenant network of pod {Name} was removed while it started; making it again")]
    private static partial void LogNetworkGone(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Docker: subnet {Subnet} was taken meanwhile; trying the next")]
    private static partial void LogSubnetTaken(ILogger logger, string subnet);
}
