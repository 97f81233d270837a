using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Sandbox.Cgroups;
using Poddle.Drivers.Sandbox.Isolation;

namespace Poddle.Drivers.Sandbox.Pods;

/// <summary>
/// The embedded default pod driver ("sandbox"): runs a pod's command under the code-execution sandbox's isolation
/// (bubblewrap namespaces, an unprivileged uid, cgroup CPU and memory limits, rlimits) except that the pod shares the
/// host's network namespace: it can reach the internet and listens on 127.0.0.1:$PORT, a host port the driver hands
/// out. Pods outlive the server: each runs under a small supervisor in a session of its own (see
/// <see cref="PodSupervisor"/>) and everything needed to re-adopt it is in its directory under
/// <see cref="SandboxPodOptions.StateDirectory"/> (state.json, log, exit). Disposing the driver does not stop pods.
/// See docs/drivers.md, section "sandbox". Split by concern: start, stop and destroy (.Lifecycle.cs), what the pod runs
/// (.Command.cs: the spec's checks and the launch that <see cref="SandboxCommandBuilder"/> turns into the sandbox),
/// state on disk (.State.cs), host ports (.Ports.cs), the app directory (.AppDirectory.cs), logs (.Logs.cs), stats
/// (.Stats.cs), the sweep of leftovers (.Sweep.cs) and the health self-test (.SelfTest.cs).
/// </summary>
public sealed partial class SandboxPodDriver : IPodDriver, IPodLogSource, IPodStatsSource, IAsyncDisposable
{
    /// <summary>The driver's name in every <see cref="PodHandle"/>.</summary>
    public const string DriverName = PodDriverNames.Sandbox;

    /// <summary>Where the pod's writable copy of its source is mounted, and its working directory.</summary>
    public const string AppDirectory = "/app";

    private const string PodIdPrefix = "sbx-";
    private const string PodCgroupPrefix = "pod-";
    private const UnixFileMode SearchableDirectory =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const int SigTerm = 15;
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AbandonedDirectoryAge = TimeSpan.FromMinutes(10);
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");
    private static readonly string[] Plumbing = ["bwrap", "unshare", "setpriv", "prlimit"];

    private readonly SandboxPodOptions _options;
    private readonly SandboxOptions _sandbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CgroupController? _cgroups;
    private readonly SandboxCommandBuilder? _commands;
    private readonly string _cgroupPrefix;
    private readonly string _script;
    private readonly Lock _portLock = new();
    private readonly HashSet<int> _reservedPorts = [];
    private readonly PodNetworks _networks;

    /// <summary>Creates the driver; detects the isolation this host allows (as code execution does) and prepares the state directory.</summary>
    public SandboxPodDriver(SandboxOptions sandbox, SandboxPodOptions options, TimeProvider? timeProvider = null, ILogger<SandboxPodDriver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(options);
        // The options were checked at start by SandboxPodOptionsValidator (absolute state directory, port range).
        _sandbox = sandbox;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var host = SandboxHost.Open(sandbox);
        (Isolation, _cgroups, _commands) = (host.Isolation, host.Cgroups, host.Commands);
        // A pod's cgroup names its state directory: the sweep at start touches only this directory's pods, never those of
        // another server on the same host (they share the cgroup parent).
        var stateDigest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(options.StateDirectory))))[..8];
        _cgroupPrefix = PodCgroupPrefix + stateDigest + "-";
        Directory.CreateDirectory(options.StateDirectory);
        // As root the state directory is bound into the sandbox's staging area and bwrap (already the sandbox uid) binds
        // the pod's app directory from there: that uid must be able to enter this directory and the pod directories, but
        // not what is above (a 0700 data directory or home is fine). Without root bwrap runs as the server's own uid.
        File.SetUnixFileMode(options.StateDirectory, SearchableDirectory);
        _script = PodSupervisor.Install(options.StateDirectory);
        _networks = new PodNetworks(options, stateDigest, _logger);
        Capabilities = new(
            Images: false, Commands: true, Gpu: false, NetworkIsolation: IsolatesNetworks, Logs: true, Stats: true, Signals: true, Exec: false)
        {
            Security = PodSecurityFeatures.ReadOnlyRootFilesystem | PodSecurityFeatures.RunAsNonRoot,
        };
        LogIsolation(_logger, Isolation);
    }

    /// <summary>What pods get on this host: full (cgroups) or reduced (rlimits only), or unavailable.</summary>
    public SandboxIsolation Isolation { get; }

    /// <inheritdoc />
    public string Name => DriverName;

    /// <inheritdoc />
    /// <remarks>
    /// Security: every pod already runs as the unprivileged sandbox uid with no capabilities and a read-only system (only
    /// its private /app copy and /tmp are writable), so readOnlyRootFilesystem and runAsNonRoot hold as they are; a chosen
    /// user or added capabilities cannot be given and are refused.
    /// Network: isolated (<see cref="DriverCapabilities.NetworkIsolation"/>) when each pod gets a namespace of its own.
    /// </remarks>
    public DriverCapabilities Capabilities { get; }

    /// <summary>Whether each pod gets a network namespace of its own (<see cref="SandboxPodNetworkMode.Isolated"/>, available here).</summary>
    private bool IsolatesNetworks => _options.Network == SandboxPodNetworkMode.Isolated && _networks.Unavailable is null;

    private static bool IsRoot => SandboxHost.IsRoot;

    /// <inheritdoc />
    /// <remarks>
    /// Beyond the tools, starts a throwaway sandbox exactly as a pod's (<see cref="SelfTestAsync"/>) and reports what
    /// stops it, e.g. a state directory the sandbox's uid cannot enter; the verdict is kept for 30 s.
    /// </remarks>
    public async Task<DriverHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (Isolation.Level == IsolationLevel.Unavailable)
        {
            return new DriverHealth(false, "sandbox: " + Isolation.Reason);
        }

        if (!File.Exists(_options.PerlPath))
        {
            return new DriverHealth(false, $"sandbox: {_options.PerlPath} is missing (apt-get install perl)");
        }

        if (!Directory.Exists(_options.StateDirectory))
        {
            return new DriverHealth(false, $"sandbox: the state directory {_options.StateDirectory} is gone");
        }

        if (_networks.Unavailable is { } reason)
        {
            return new DriverHealth(false, "sandbox: " + reason);
        }

        if (IsolatesNetworks)
        {
            try
            {
                // Put back when something flushed the ruleset since the last start.
                await _networks.EnsureFirewallAsync(cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                return new DriverHealth(false, "sandbox: " + ex.Message);
            }
        }

        var (ok, detail) = await CachedSelfTestAsync(cancellationToken);
        var network = IsolatesNetworks ? "a network namespace per pod" : "the host's network (not isolated)";
        return ok
            ? new DriverHealth(true, $"sandbox: {Isolation}; {network}; pods in {_options.StateDirectory}")
            : new DriverHealth(false, $"sandbox: a pod cannot start in {_options.StateDirectory}: {detail}");
    }

    /// <summary>
    /// Does nothing to the pods: they outlive the driver (and the server) by design. Only this server's agent port stops
    /// being open to pods (the port is opened again when the server returns).
    /// </summary>
    public async ValueTask DisposeAsync() => await _networks.ReleaseAgentPortAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox pods: {Isolation}")]
    private static partial void LogIsolation(ILogger logger, SandboxIsolation isolation);
}
