using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
/// See docs/drivers.md, section "sandbox".
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
    /// Removes what pods of this state directory that are gone left behind: a cgroup whose pod has no <c>state.json</c>
    /// any more (a server killed while destroying it; the state directory deleted under living pods), after killing what
    /// is still in it, and a pod directory without <c>state.json</c> untouched for 10 minutes. A pod that exists, running
    /// or not, is never touched (pods outlive the server on purpose, ADR 0007), nor a pod of another state directory.
    /// </summary>
    public async Task<int> SweepLeftoversAsync(CancellationToken cancellationToken)
    {
        var result = new SweepResult();
        foreach (var name in _cgroups?.ListChildren().Where(n => n.StartsWith(_cgroupPrefix, StringComparison.Ordinal)) ?? [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            var podId = name[_cgroupPrefix.Length..];
            if (!IsPodId(podId) || !File.Exists(Path.Join(PodDirectory(podId), "state.json")))
            {
                await LeftoverSweeper.RemoveCgroupAsync(_cgroups!.OpenRun(name), name, result);
            }
        }

        foreach (var directory in Directory.EnumerateDirectories(_options.StateDirectory, PodIdPrefix + "*"))
        {
            if (IsPodId(Path.GetFileName(directory)) && !File.Exists(Path.Join(directory, "state.json"))
                && _time.GetUtcNow() - Directory.GetLastWriteTimeUtc(directory) > AbandonedDirectoryAge)
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                    result.Removed.Add(directory);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    result.Failures.Add((directory, ex.Message));
                }
            }
        }

        if (IsolatesNetworks)
        {
            // Network namespaces (and their pasta) of pods whose directory is gone.
            await _networks.SweepAsync(podId => Directory.Exists(PodDirectory(podId)), cancellationToken);
        }

        return result.Log(_logger, "pods that are gone");
    }

    /// <inheritdoc />
    public async Task<PodHandle> StartAsync(PodSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Validate(spec);
        if (Isolation.Level == IsolationLevel.Unavailable)
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, "the sandbox is unavailable: " + Isolation.Reason);
        }

        if (_networks.Unavailable is { } networkReason)
        {
            throw new PodDriverException(PodFailureKind.DriverUnavailable, "the sandbox cannot run pods: " + networkReason);
        }

        if (IsolatesNetworks)
        {
            await _networks.EnsureFirewallAsync(cancellationToken);
        }

        var podId = PodIdPrefix + Guid.NewGuid().ToString("N")[..12];
        var directory = PodDirectory(podId);
        var cpu = spec.Resources.CpuMillicores > 0 ? spec.Resources.CpuMillicores : _options.DefaultCpuMillicores;
        var memory = spec.Resources.MemoryMb > 0 ? spec.Resources.MemoryMb : _options.DefaultMemoryMb;
        CgroupRun? cgroup = null;
        int? port = null;
        var supervisor = 0;
        try
        {
            Directory.CreateDirectory(directory);
            File.SetUnixFileMode(directory, SearchableDirectory);
            var app = Path.Join(directory, "app");
            await PrepareAppDirectoryAsync(spec.SourceDirectory, app, cancellationToken);
            port = spec.Port is null ? null : AllocatePort();
            var cgroupName = _cgroups is null ? null : _cgroupPrefix + podId;
            // Recorded before the cgroup and the supervisor exist (pid 0: Pending), so a server that dies in between
            // leaves a pod that is listed, and reconciliation can destroy it, rather than one nobody knows; and a pod
            // cgroup without a record is always a leftover (see SweepLeftoversAsync).
            var record = new PodRecord(
                podId, spec.Name, 0, 0, cgroupName, port,
                cpu, memory, _time.GetUtcNow(), new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal))
            {
                IsolatedNetwork = IsolatesNetworks,
            };
            WriteAtomically(Path.Join(directory, "state.json"), JsonSerializer.Serialize(record, PodJsonContext.Default.PodRecord));
            if (IsolatesNetworks)
            {
                // After the record: a namespace whose pod directory is gone is a leftover (see SweepLeftoversAsync).
                await _networks.CreateAsync(podId, port, directory, cancellationToken);
            }

            cgroup = cgroupName is null ? null : _cgroups!.CreateRun(cgroupName, new SandboxLimits { MemoryMb = memory, CpuCores = cpu / 1000.0, Pids = _options.Pids });
            supervisor = await PodSupervisor.LaunchAsync(
                _options.PerlPath, _script, directory, _options.LogMaxBytes, BuildCommand(spec, podId, cgroup, memory),
                PodSupervisor.EncodeArguments(HiddenArguments(spec, port)), cancellationToken);
            record = record with { SupervisorPid = supervisor, SupervisorStartTicks = ProcTable.Read(supervisor)?.StartTicks ?? 0 };
            WriteAtomically(Path.Join(directory, "state.json"), JsonSerializer.Serialize(record, PodJsonContext.Default.PodRecord));
            LogStarted(_logger, podId, spec.Name, port, supervisor);
            return Handle(record);
        }
        catch (OperationCanceledException)
        {
            // Nothing is left behind, cancelled or not (the contract of StartAsync).
            if (supervisor > 0)
            {
                _ = NativeMethods.Kill(supervisor, NativeMethods.SigKill);
            }

            await RemoveAsync(podId, cgroup, port);
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            LogStartFailed(_logger, podId, ex);
            if (supervisor > 0)
            {
                _ = NativeMethods.Kill(supervisor, NativeMethods.SigKill);
            }

            await RemoveAsync(podId, cgroup, port);
            throw new PodDriverException(PodFailureKind.Other, $"the sandbox could not start pod '{spec.Name}': {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public Task RecoverAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (ReadRecord(handle.PodId) is { } record)
        {
            if (record.Port is { } port)
            {
                lock (_portLock)
                {
                    _reservedPorts.Add(port);
                }
            }

            var state = ObserveRecord(record).State;
            LogRecovered(_logger, record.PodId, state);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<PodStatus> InspectAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Task.FromResult(ReadRecord(handle.PodId) is { } record ? ObserveRecord(record) : PodStatus.NotFound);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<PodHandle> ListAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        await Task.Yield();
        foreach (var directory in Directory.EnumerateDirectories(_options.StateDirectory, PodIdPrefix + "*"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ReadRecord(Path.GetFileName(directory)) is { } record
                && labels.All(l => record.Labels.TryGetValue(l.Key, out var value) && value == l.Value))
            {
                yield return Handle(record);
            }
        }
    }

    /// <inheritdoc />
    public async Task<ExitResult> WaitAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        while (true)
        {
            var status = await InspectAsync(handle, cancellationToken);
            switch (status.State)
            {
                case PodState.Exited:
                    return status.Exit!;
                case PodState.NotFound:
                    throw new PodDriverException(PodFailureKind.Other, $"the sandbox has no pod '{handle.PodId}'");
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(PodHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (ReadRecord(handle.PodId) is not { } record || ObserveRecord(record).State != PodState.Running)
        {
            return;
        }

        // SIGTERM to every process of the app (not to bwrap and its init, which would not pass it on, nor to the
        // supervisor): what systemd's KillMode=control-group does.
        foreach (var process in AppProcesses(record))
        {
            _ = NativeMethods.Kill(process.Pid, SigTerm);
        }

        if (await WaitExitedAsync(record, gracePeriod, cancellationToken))
        {
            return;
        }

        LogKilling(_logger, record.PodId, gracePeriod);
        await KillAsync(record, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DestroyAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!IsPodId(handle.PodId) || !Directory.Exists(PodDirectory(handle.PodId)))
        {
            return;
        }

        var record = ReadRecord(handle.PodId);
        if (record is not null && ObserveRecord(record).State == PodState.Running)
        {
            await KillAsync(record, cancellationToken);
        }

        var cgroup = record?.Cgroup is { } name ? _cgroups?.OpenRun(name) : null;
        await RemoveAsync(handle.PodId, cgroup, record?.Port, record);
        LogDestroyed(_logger, handle.PodId);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<PodLogLine> ReadLogsAsync(PodHandle handle, PodLogQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(query);
        if (ReadRecord(handle.PodId) is not { } record)
        {
            yield break;
        }

        var directory = PodDirectory(record.PodId);
        using var file = new PodLogFile(directory, includeRotated: true);
        IEnumerable<PodLogLine> first = file.ReadAvailable().Where(l => query.Since is null || l.Timestamp >= query.Since);
        if (query.Tail is { } tail)
        {
            first = first.TakeLast(Math.Max(0, tail));
        }

        foreach (var line in first)
        {
            yield return line;
        }

        while (query.Follow)
        {
            // Looked at before reading: the supervisor writes the exit file after the last line, so nothing is missed.
            var ended = ObserveRecord(record).State != PodState.Running;
            foreach (var line in file.ReadAvailable())
            {
                if (query.Since is null || line.Timestamp >= query.Since)
                {
                    yield return line;
                }
            }

            if (ended)
            {
                yield break;
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task<PodStats?> GetStatsAsync(PodHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (ReadRecord(handle.PodId) is not { } record || ObserveRecord(record).State != PodState.Running)
        {
            return Task.FromResult<PodStats?>(null);
        }

        var now = _time.GetUtcNow();
        if (record.Cgroup is { } name && _cgroups?.OpenRun(name) is { } cgroup && cgroup.Exists())
        {
            return Task.FromResult<PodStats?>(new PodStats(
                now, cgroup.ReadCpuUsage().Ticks * 100, cgroup.ReadMemoryBytes(), cgroup.ReadMemoryLimitBytes(), null, null));
        }

        // Reduced isolation: no cgroup, so the sum over the pod's processes (CPU of processes that already exited is lost).
        var processes = ProcTable.Descendants(record.SupervisorPid);
        var cpuNanoseconds = processes.Sum(p => p.CpuTicks) * (1_000_000_000 / ProcTable.TicksPerSecond);
        var memoryBytes = processes.Where(p => !Plumbing.Contains(p.Command, StringComparer.Ordinal)).Sum(p => p.RssPages) * Environment.SystemPageSize;
        return Task.FromResult<PodStats?>(new PodStats(now, cpuNanoseconds, memoryBytes, null, null, null));
    }

    /// <summary>
    /// Does nothing to the pods: they outlive the driver (and the server) by design. Only this server's agent port stops
    /// being open to pods (the port is opened again when the server returns).
    /// </summary>
    public async ValueTask DisposeAsync() => await _networks.ReleaseAgentPortAsync();

    /// <summary>The pod's directory (state.json, log, log.1, exit, app); for tests and operators.</summary>
    internal string PodDirectory(string podId) => Path.Join(_options.StateDirectory, podId);

    private static bool IsPodId(string podId) =>
        podId.Length == PodIdPrefix.Length + 12 && podId.StartsWith(PodIdPrefix, StringComparison.Ordinal)
        && !podId.AsSpan(PodIdPrefix.Length).ContainsAnyExcept(HexDigits);

    private static void Validate(PodSpec spec)
    {
        if (spec.Image is not null)
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the sandbox driver runs commands, not container images: use the docker driver for an image");
        }

        if (spec.Command is not { Count: > 0 } || string.IsNullOrEmpty(spec.Command[0]))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the sandbox driver needs a command");
        }

        if (spec.Command.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the command must not contain NUL characters");
        }

        if (spec.Security.User is not null || spec.Security.AddCapabilities is { Count: > 0 })
        {
            throw new PodDriverException(PodFailureKind.UnsupportedSpec, "the sandbox driver runs every pod as its own unprivileged user without capabilities: a chosen user or added capabilities need the docker driver");
        }

        if (spec.SourceDirectory is { } source && !Directory.Exists(source))
        {
            throw new PodDriverException(PodFailureKind.Other, $"the source directory {source} does not exist");
        }

        foreach (var (name, value) in spec.Env)
        {
            // The value is never named: it may be a secret.
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new PodDriverException(PodFailureKind.UnsupportedSpec, $"environment variable '{name.Replace("\0", string.Empty, StringComparison.Ordinal)}' cannot be passed (empty name, '=' in the name or NUL)");
            }
        }
    }

    private static PodHandle Handle(PodRecord record) => new(
        DriverName,
        record.PodId,
        1,
        JsonSerializer.Serialize(new PodHandleState(record.SupervisorPid, record.SupervisorStartTicks, record.Cgroup, record.Port), PodJsonContext.Default.PodHandleState),
        record.Labels);

    private PodRecord? ReadRecord(string podId)
    {
        if (!IsPodId(podId))
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize(File.ReadAllText(Path.Join(PodDirectory(podId), "state.json")), PodJsonContext.Default.PodRecord);
            return record?.PodId == podId ? record : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private PodExitRecord? ReadExit(string podId)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path.Join(PodDirectory(podId), "exit")), PodJsonContext.Default.PodExitRecord);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private PodStatus ObserveRecord(PodRecord record)
    {
        var exit = ReadExit(record.PodId);
        if (exit is null && record.SupervisorPid == 0)
        {
            return new PodStatus(PodState.Pending, null, null, null, null);
        }

        if (exit is null && ProcTable.IsAlive(record.SupervisorPid, record.SupervisorStartTicks))
        {
            var endpoint = record.Port is { } port ? new PodEndpoint("127.0.0.1", port) : null;
            return new PodStatus(PodState.Running, record.StartedAt, null, null, endpoint);
        }

        // The supervisor is gone: it wrote its exit file just before exiting, unless it was killed.
        exit ??= ReadExit(record.PodId);
        var oom = record.Cgroup is { } name && _cgroups?.OpenRun(name) is { } cgroup && cgroup.Exists() && cgroup.ReadOomKills() > 0;
        if (exit is null)
        {
            return new PodStatus(
                PodState.Exited, record.StartedAt, null, ExitResult.From(-1, null, oom) with { Reason = oom ? "OOMKilled" : "lost: the pod's supervisor was killed" }, null);
        }

        // bwrap (and unshare) report a command killed by signal N as exit status 128+N, as a shell does.
        var signal = exit.Signal ?? (exit.Code is > 128 and <= 128 + 64 ? exit.Code - 128 : null);
        return new PodStatus(
            PodState.Exited, record.StartedAt, DateTimeOffset.UnixEpoch.AddTicks(exit.FinishedAtUs * 10), ExitResult.From(exit.Code, signal, oom), null);
    }

    private static List<ProcEntry> AppProcesses(PodRecord record) =>
        ProcTable.Descendants(record.SupervisorPid).Where(p => !Plumbing.Contains(p.Command, StringComparer.Ordinal)).ToList();

    private async Task<bool> WaitExitedAsync(PodRecord record, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (ObserveRecord(record).State != PodState.Running)
            {
                return true;
            }

            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken);
        }
    }

    /// <summary>
    /// SIGKILLs the app and the sandbox's init (a bwrap whose parent is bwrap: the whole pid namespace dies with it and
    /// bwrap reports 128+9), so the supervisor records "killed by signal 9"; then, if the pod still runs, everything
    /// under the supervisor and in the cgroup.
    /// </summary>
    private async Task KillAsync(PodRecord record, CancellationToken cancellationToken)
    {
        var processes = ProcTable.Descendants(record.SupervisorPid);
        var bwraps = processes.Where(p => p.Command == "bwrap").Select(p => p.Pid).ToHashSet();
        foreach (var process in processes.Where(p => !Plumbing.Contains(p.Command, StringComparer.Ordinal) || (p.Command == "bwrap" && bwraps.Contains(p.ParentPid))))
        {
            _ = NativeMethods.Kill(process.Pid, NativeMethods.SigKill);
        }

        if (await WaitExitedAsync(record, KillWait, cancellationToken))
        {
            return;
        }

        foreach (var process in ProcTable.Descendants(record.SupervisorPid))
        {
            _ = NativeMethods.Kill(process.Pid, NativeMethods.SigKill);
        }

        if (record.Cgroup is { } name && _cgroups?.OpenRun(name) is { } cgroup)
        {
            cgroup.SignalAll();
        }

        await WaitExitedAsync(record, KillWait, cancellationToken);
    }

    private async Task RemoveAsync(string podId, CgroupRun? cgroup, int? port, PodRecord? record = null)
    {
        var directory = PodDirectory(podId);
        try
        {
            // The record goes first: from here on the pod is NotFound and no longer listed, even if removal stops half-way.
            File.Delete(Path.Join(directory, "state.json"));
            if (record is not null && ProcTable.IsAlive(record.SupervisorPid, record.SupervisorStartTicks))
            {
                _ = NativeMethods.Kill(record.SupervisorPid, NativeMethods.SigKill);
            }

            if (cgroup is not null && cgroup.Exists())
            {
                await cgroup.KillAllAsync(KillWait);
                await cgroup.RemoveAsync();
            }

            // Before the directory: pasta's pid file is in it.
            await _networks.RemoveAsync(podId, directory, CancellationToken.None);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            LogCleanupFailed(_logger, podId, ex);
            throw new PodDriverException(PodFailureKind.Other, $"the sandbox could not remove pod '{podId}': {ex.Message}", ex);
        }
        finally
        {
            if (port is { } p)
            {
                lock (_portLock)
                {
                    _reservedPorts.Remove(p);
                }
            }
        }
    }

    private async Task PrepareAppDirectoryAsync(string? source, string app, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(app);
        if (source is not null)
        {
            CopyTree(new DirectoryInfo(source), app);
        }

        if (IsRoot)
        {
            // The copy belongs to the sandbox uid, so the pod can write there; chown -h never follows a symlink.
            var start = new ProcessStartInfo("/bin/chown") { UseShellExecute = false, RedirectStandardError = true };
            foreach (var arg in new[] { "-R", "-h", "--", $"{_sandbox.SandboxUid.ToString(CultureInfo.InvariantCulture)}:{_sandbox.SandboxGid.ToString(CultureInfo.InvariantCulture)}", app })
            {
                start.ArgumentList.Add(arg);
            }

            using var chown = Process.Start(start) ?? throw new InvalidOperationException("chown did not start");
            var errors = await chown.StandardError.ReadToEndAsync(cancellationToken);
            await chown.WaitForExitAsync(cancellationToken);
            if (chown.ExitCode != 0)
            {
                throw new IOException("chown of the pod's app directory failed: " + errors.Trim());
            }
        }
    }

    /// <summary>Copies a source tree; symlinks are copied as links (never followed: the server runs as root).</summary>
    private static void CopyTree(DirectoryInfo source, string target)
    {
        foreach (var entry in source.EnumerateFileSystemInfos())
        {
            var destination = Path.Join(target, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(destination, link);
            }
            else if (entry is DirectoryInfo directory)
            {
                Directory.CreateDirectory(destination);
                CopyTree(directory, destination);
            }
            else if (entry is FileInfo file)
            {
                file.CopyTo(destination);
            }
        }
    }

    private int AllocatePort()
    {
        var used = new HashSet<int>();
        foreach (var directory in Directory.EnumerateDirectories(_options.StateDirectory, PodIdPrefix + "*"))
        {
            if (ReadRecord(Path.GetFileName(directory))?.Port is { } taken)
            {
                used.Add(taken);
            }
        }

        lock (_portLock)
        {
            var count = _options.PortRangeEnd - _options.PortRangeStart + 1;
            var offset = Random.Shared.Next(count);
            for (var i = 0; i < count; i++)
            {
                var port = _options.PortRangeStart + ((offset + i) % count);
                if (used.Contains(port) || _reservedPorts.Contains(port) || !IsFree(port))
                {
                    continue;
                }

                _reservedPorts.Add(port);
                return port;
            }
        }

        throw new PodDriverException(PodFailureKind.InsufficientResources, $"no free port in {_options.PortRangeStart}-{_options.PortRangeEnd}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static List<string> HiddenArguments(PodSpec spec, int? port)
    {
        var environment = new Dictionary<string, string>(SandboxRunner.Environment, StringComparer.Ordinal);
        foreach (var (name, value) in spec.Env)
        {
            environment[name] = value;
        }

        if (port is { } p)
        {
            environment["PORT"] = p.ToString(CultureInfo.InvariantCulture);
        }

        var args = new List<string>();
        foreach (var (name, value) in environment)
        {
            args.AddRange(["--setenv", name, value]);
        }

        return args;
    }

    private IReadOnlyList<string> BuildCommand(PodSpec spec, string podId, CgroupRun? cgroup, int memoryMb) =>
        _commands!.Build(PodLaunch(
            spec.Command!, podId + "/app", Hostname(spec.Name), cgroup, memoryMb,
            IsolatesNetworks ? SandboxNetwork.Namespace(_networks.NamespacePath(podId)) : SandboxNetwork.Host));

    /// <summary>
    /// A pod as the command builder sees it: the shared rules of every sandbox, with the pod's differences: a writable
    /// /app, the host's network with what a networked app needs of /etc, an executable /tmp, its own limits and
    /// hostname, and the environment (secrets included) from fd 3 (<c>--args 3</c>), never from a command line anyone
    /// can read in /proc. The chain dies with the pod's supervisor (which writes its exit status), never with the server.
    /// </summary>
    private SandboxLaunch PodLaunch(
        IReadOnlyList<string> command, string appRelativePath, string hostname, CgroupRun? cgroup, int memoryMb, SandboxNetwork network) => new()
    {
        Name = "poddle-pod",
        Command = command,
        WorkDirectory = new SandboxWorkDirectory(_options.StateDirectory, appRelativePath, AppDirectory, Writable: true),
        Network = network,
        Hostname = hostname,
        TmpfsMb = _options.TmpfsMb,
        // The app may write and run anything in /app anyway; a noexec /tmp would only break runtimes that unpack native
        // libraries there (the JVM's, for one).
        TmpExecutable = true,
        HostFiles = NetworkFiles(),
        Cgroup = cgroup,
        FileSizeBytes = _options.FileSizeBytes,
        OpenFiles = _options.OpenFiles,
        // Reduced isolation: no cgroup, so the address-space rlimit stands in for the memory limit (per process), and
        // there is no CPU limit at all (RLIMIT_CPU would kill a long-running server).
        AddressSpaceBytes = cgroup is null ? (long)memoryMb * 1024 * 1024 : null,
        ArgumentsFd = 3,
    };

    /// <summary><see cref="SandboxPodOptions.NetworkPaths"/> that exist, bound by content: a symlink (resolv.conf under systemd-resolved) would point nowhere inside.</summary>
    private List<SandboxBindMount> NetworkFiles()
    {
        var files = new List<SandboxBindMount>();
        foreach (var path in _options.NetworkPaths)
        {
            var resolved = File.Exists(path) || Directory.Exists(path) ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path : null;
            if (resolved is not null && (File.Exists(resolved) || Directory.Exists(resolved)))
            {
                files.Add(new SandboxBindMount(resolved, path));
            }
        }

        return files;
    }

    private static string Hostname(string name)
    {
        var chars = name.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Take(63).ToArray();
        var host = new string(chars).Trim('-');
        return host.Length == 0 ? "pod" : host;
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox pods: {Isolation}")]
    private static partial void LogIsolation(ILogger logger, SandboxIsolation isolation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox pod {PodId} ({Name}) started on port {Port}, supervisor {Pid}")]
    private static partial void LogStarted(ILogger logger, string podId, string name, int? port, int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sandbox pod {PodId} did not start")]
    private static partial void LogStartFailed(ILogger logger, string podId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox pod {PodId} re-adopted: {State}")]
    private static partial void LogRecovered(ILogger logger, string podId, PodState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox pod {PodId} did not stop within {Grace}: killing it")]
    private static partial void LogKilling(ILogger logger, string podId, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox pod {PodId} destroyed")]
    private static partial void LogDestroyed(ILogger logger, string podId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox pods: the self-test failed: {Detail}")]
    private static partial void LogSelfTestFailed(ILogger logger, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox pod {PodId}: removal failed")]
    private static partial void LogCleanupFailed(ILogger logger, string podId, Exception exception);
}
