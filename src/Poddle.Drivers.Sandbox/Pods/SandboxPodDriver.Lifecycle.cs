using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Sandbox.Cgroups;

namespace Poddle.Drivers.Sandbox.Pods;

// The pod's life: start under its supervisor, re-adopt after a restart, inspect, list, wait, stop (SIGTERM, then
// SIGKILL) and destroy (the record first, then the processes, the cgroup, the network and the directory).
public sealed partial class SandboxPodDriver
{
    /// <inheritdoc />
    public async Task<PodHandle> StartAsync(PodSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Validate(spec);
        Capabilities.EnsureSupports(spec, DriverName);
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
                ReservePort(port);
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
                ReleasePort(p);
            }
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox pod {PodId}: removal failed")]
    private static partial void LogCleanupFailed(ILogger logger, string podId, Exception exception);
}
