using System.Globalization;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Host;

namespace Poddle.Drivers.Sandbox.Pods;

/// <summary>
/// The network of isolated sandbox pods (<see cref="SandboxPodNetworkMode.Isolated"/>): one named network namespace per
/// pod (/run/netns/poddle-{state directory digest}-{podId}), created before the pod's first process and entered with nsenter, connected to the
/// host by its own pasta process. pasta gives the namespace the host's addresses and routes and relays TCP/UDP through
/// ordinary host sockets (so egress works with no bridge, no IP forwarding and no NAT rules), binds the pod's port on
/// the host's 127.0.0.1 only (<c>-t</c>), and maps exactly one port back from the namespace's loopback to the host's:
/// the server's agent listener (<c>-T</c>). Every host socket pasta opens belongs to the group
/// <see cref="SandboxPodOptions.NetworkGroupId"/>, and the table <c>inet poddle_sandbox</c> refuses that group any
/// local address (the host's own services, other pods' ports), Docker's bridges and link-local addresses (cloud
/// metadata), but the agent port. Namespaces and pasta outlive the server with their pods; pasta leaves by itself when
/// its namespace is deleted. See docs/security.md, "Network isolation".
/// </summary>
internal sealed partial class PodNetworks
{
    /// <summary>Named network namespaces live here (iproute2's convention).</summary>
    public const string NamespaceDirectory = "/run/netns";

    /// <summary>Prefix of every pod namespace's name, before its state directory's digest and the pod id.</summary>
    public const string NamespacePrefix = "poddle-";

    /// <summary>The nftables table (family inet) the sandbox driver owns.</summary>
    public const string FirewallTable = "poddle_sandbox";

    private const string GroupsSet = "pasta_groups";
    private const string AgentPortsSet = "agent_ports";
    private static readonly TimeSpan PastaStartTimeout = TimeSpan.FromSeconds(15);

    private readonly SandboxPodOptions _options;
    private readonly string _prefix;
    private readonly ILogger _logger;
    private readonly NftablesTable _firewall;
    private volatile bool _firewallApplied;

    /// <param name="options">The driver's settings.</param>
    /// <param name="stateDirectoryDigest">
    /// A digest of the driver's state directory: namespaces are named "poddle-{digest}-{pod id}", so a sweep of one
    /// server's leftovers never touches the pods of another server on the same host.
    /// </param>
    /// <param name="logger">The driver's logger.</param>
    public PodNetworks(SandboxPodOptions options, string stateDirectoryDigest, ILogger logger)
    {
        _options = options;
        _prefix = NamespacePrefix + stateDirectoryDigest + "-";
        _logger = logger;
        _firewall = new NftablesTable("inet", FirewallTable, options.NftPath);
        Unavailable = Check(options);
    }

    /// <summary>Why isolated pod networks cannot be made on this host; null when they can.</summary>
    public string? Unavailable { get; }

    /// <summary>The namespace's path, for nsenter --net.</summary>
    public string NamespacePath(string podId) => Path.Join(NamespaceDirectory, _prefix + podId);

    /// <summary>
    /// Makes the pod's namespace and connects it: when this returns, the namespace has its address, routes and loopback,
    /// the pod's port is bound on the host, and the firewall is in place. Throws <see cref="IOException"/> on failure,
    /// with nothing left behind.
    /// </summary>
    public async Task CreateAsync(string podId, int? port, string podDirectory, CancellationToken cancellationToken)
    {
        if (Unavailable is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        await EnsureFirewallAsync(cancellationToken);
        var name = _prefix + podId;
        var added = await HostTool.RunAsync(_options.IpPath, ["netns", "add", name], cancellationToken: cancellationToken);
        if (!added.Succeeded)
        {
            throw new IOException($"could not create the pod's network namespace {name}: {added.Describe()}");
        }

        // pasta configures the namespace, binds the forwarded ports, then goes to the background: its exit status says
        // whether all of that worked. "none" everywhere else: pasta's default ("auto") would forward every port bound on
        // the host into the namespace.
        var arguments = new List<string>
        {
            "--quiet",
            "--config-net",
            "--no-map-gw",
            "--tcp-ports", port is { } p ? "127.0.0.1/" + Invariant(p) : "none",
            "--udp-ports", "none",
            "--tcp-ns", _options.AgentPort > 0 ? Invariant(_options.AgentPort) : "none",
            "--udp-ns", "none",
            "--runas", "0:" + Invariant(_options.NetworkGroupId),
            "--pid", PidFile(podDirectory),
            "--netns", NamespacePath(podId),
        };
        // .NET ignores SIGPIPE, and an ignored signal stays ignored across exec; Debian 12's pasta takes an ignored
        // SIGPIPE for a failure to install its handlers ("Couldn't install signal handlers") and exits, so coreutils'
        // env restores the default first.
        arguments.InsertRange(0, ["--default-signal=PIPE", _options.PastaPath]);
        var pasta = await HostTool.RunAsync("/usr/bin/env", arguments, timeout: PastaStartTimeout, cancellationToken: cancellationToken);
        if (!pasta.Succeeded)
        {
            await RemoveAsync(podId, podDirectory, CancellationToken.None);
            throw new IOException($"pasta could not connect the pod's network: {pasta.Describe()}");
        }

        LogConnected(_logger, podId, port);
    }

    /// <summary>Deletes the pod's namespace (pasta then exits by itself) and stops its pasta if it lingers. Idempotent.</summary>
    public async Task RemoveAsync(string podId, string podDirectory, CancellationToken cancellationToken)
    {
        var pid = ReadPastaPid(podDirectory, podId);
        if (File.Exists(NamespacePath(podId)))
        {
            var deleted = await HostTool.RunAsync(_options.IpPath, ["netns", "delete", _prefix + podId], cancellationToken: cancellationToken);
            if (!deleted.Succeeded && File.Exists(NamespacePath(podId)))
            {
                LogRemoveFailed(_logger, podId, deleted.Describe());
            }
        }

        if (pid is { } p)
        {
            _ = NativeMethods.Kill(p, NativeMethods.SigKill);
        }
    }

    /// <summary>
    /// Removes the namespaces (and their pasta) of pods that no longer exist: a server killed between making a
    /// namespace and recording its pod, or a pod directory removed by hand.
    /// </summary>
    public async Task SweepAsync(Func<string, bool> podExists, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(NamespaceDirectory))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(NamespaceDirectory, _prefix + "sbx-*"))
        {
            var podId = Path.GetFileName(path)[_prefix.Length..];
            if (!podExists(podId))
            {
                LogSwept(_logger, podId);
                await RemoveAsync(podId, Path.Join(_options.StateDirectory, podId), cancellationToken);
            }
        }
    }

    /// <summary>Puts the firewall table in place once per process, and again whenever it is found missing.</summary>
    public async Task EnsureFirewallAsync(CancellationToken cancellationToken)
    {
        if (_firewallApplied && await _firewall.ExistsAsync(cancellationToken))
        {
            return;
        }

        // Atomic and idempotent, and other servers' groups and ports stay in the sets: two callers at once do no harm.
        var elements = new Dictionary<string, IReadOnlyList<string>>
        {
            [GroupsSet] = [Invariant(_options.NetworkGroupId)],
            [AgentPortsSet] = _options.AgentPort > 0 ? [Invariant(_options.AgentPort)] : [],
        };
        await _firewall.ApplyAsync(FirewallSets, FirewallChains, elements, cancellationToken);
        _firewallApplied = true;
    }

    /// <summary>Takes this server's agent port out of the firewall's set (the server is going away).</summary>
    public async Task ReleaseAgentPortAsync()
    {
        if (_firewallApplied && _options.AgentPort > 0)
        {
            await _firewall.RemoveElementsAsync(AgentPortsSet, [Invariant(_options.AgentPort)], CancellationToken.None);
        }
    }

    /// <summary>pasta's groups and the agent listeners' ports of every Poddle server on this host.</summary>
    internal static IReadOnlyList<NftablesSet> FirewallSets { get; } = [new(GroupsSet, "gid"), new(AgentPortsSet, "inet_service")];

    /// <summary>
    /// The rules for pasta's sockets, in the output hook (they are the host's own sockets): answers on connections the
    /// host made to a pod pass; a new connection to a local address passes only to an agent listener's port; every other
    /// local address (services on 127.0.0.1 or any of the host's addresses, other pods' ports), Docker's bridges
    /// (containers of any owner) and link-local addresses (a cloud's metadata service, which hands out the machine's
    /// credentials) are refused. Everything else is egress.
    /// </summary>
    internal static IReadOnlyList<NftablesChain> FirewallChains { get; } =
    [
        new("output", "type filter hook output priority filter - 5; policy accept;", [$"meta skgid @{GroupsSet} jump pod_egress"]),
        new("pod_egress", null,
        [
            "ct state established,related accept",
            $"fib daddr type local tcp dport @{AgentPortsSet} accept",
            "fib daddr type { local, broadcast, multicast } reject",
            "oifname \"docker0\" reject",
            "oifname \"br-*\" reject",
            "oifname \"pdl-*\" reject",
            "ip daddr 169.254.0.0/16 reject",
            "ip6 daddr fe80::/10 reject",
        ]),
    ];

    private static string PidFile(string podDirectory) => Path.Join(podDirectory, "pasta.pid");

    /// <summary>pasta's pid from its pid file, when that process is still a pasta serving this pod's namespace.</summary>
    private int? ReadPastaPid(string podDirectory, string podId)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(PidFile(podDirectory)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 1)
            {
                return null;
            }

            var commandLine = File.ReadAllText($"/proc/{Invariant(pid)}/cmdline");
            return commandLine.Contains(NamespacePath(podId), StringComparison.Ordinal) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Check(SandboxPodOptions options)
    {
        if (options.Network != SandboxPodNetworkMode.Isolated)
        {
            return null;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "isolated pod networks need the server to run as root (or set Sandbox:Pods:Network=Host to share the host's network, without isolation)";
        }

        var missing = new (string Path, string Package)[]
        {
            (options.PastaPath, "passt"), (options.IpPath, "iproute2"), (options.NsenterPath, "util-linux"), (options.NftPath, "nftables"),
        }.Where(t => !File.Exists(t.Path)).ToList();
        return missing.Count == 0
            ? null
            : $"isolated pod networks need {string.Join(", ", missing.Select(m => m.Path))} (apt-get install {string.Join(' ', missing.Select(m => m.Package).Distinct())}), or set Sandbox:Pods:Network=Host to share the host's network without isolation";
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sandbox pod {PodId}: network namespace connected (port {Port})")]
    private static partial void LogConnected(ILogger logger, string podId, int? port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox pod {PodId}: its network namespace could not be deleted: {Reason}")]
    private static partial void LogRemoveFailed(ILogger logger, string podId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox pod {PodId}: removing the network namespace of a pod that no longer exists")]
    private static partial void LogSwept(ILogger logger, string podId);
}
