using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Sandbox.Cgroups;
using Poddle.Drivers.Sandbox.Isolation;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Runs one command of untrusted code in a fresh sandbox and returns its verdict and measurements. Every run gets its
/// own namespaces (bubblewrap), cgroup, run directory and tmpfs; when <see cref="RunAsync"/> returns, every process of
/// the run is dead, its cgroup and its directory are gone.
/// </summary>
public sealed partial class SandboxRunner
{
    /// <summary>Where the request's files are mounted (read-only) and where the command starts.</summary>
    public const string WorkingDirectory = "/box";

    /// <summary>The whole environment of the sandboxed command: nothing is inherited from the server.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = "/tmp",
        ["TMPDIR"] = "/tmp",
        ["LANG"] = "C.UTF-8",
        ["PYTHONUNBUFFERED"] = "1",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
    };

    /// <summary>The wrapper's name: its own failures (cgroup, mounts, filter) start with "poddle-sandbox: ".</summary>
    internal const string WrapperName = "poddle-sandbox";

    private static readonly TimeSpan ReaderGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KillEscalation = TimeSpan.FromSeconds(1);

    private readonly SandboxOptions _options;
    private readonly ILogger _logger;
    private readonly CgroupController? _cgroups;
    private readonly SandboxCommandBuilder? _commands;

    public SandboxRunner(SandboxOptions options, ILogger<SandboxRunner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        WorkRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.WorkRoot ?? Path.GetTempPath()));
        var host = SandboxHost.Open(options);
        (Isolation, _cgroups, _commands) = (host.Isolation, host.Cgroups, host.Commands);
        if (_commands is not null && CheckWorkRoot(WorkRoot) is { } problem)
        {
            (Isolation, _cgroups, _commands) = (new SandboxIsolation(IsolationLevel.Unavailable, null, problem), null, null);
        }

        LogIsolation(_logger, Isolation);
    }

    /// <summary>What runs get on this host, decided once at construction.</summary>
    public SandboxIsolation Isolation { get; }

    /// <summary>Where run directories are created (<see cref="SandboxOptions.WorkRoot"/>, the system temp directory by default).</summary>
    public string WorkRoot { get; }

    private static bool IsRoot => SandboxHost.IsRoot;

    private enum KillReason
    {
        None,
        Cpu,
        Wall,
        Output,
        Cancelled,
    }

    /// <summary>Detects the isolation this host allows: bubblewrap and the chain's tools, then a writable cgroup hierarchy.</summary>
    public static (SandboxIsolation Isolation, CgroupController? Controller) Detect(SandboxOptions options) => SandboxHost.Detect(options);

    /// <summary>
    /// Removes what runs of servers that are gone left behind (a server killed with SIGKILL): their cgroups, after killing
    /// anything still in them, and their run directories. Runs of living servers, this one included, are never touched:
    /// every run's id starts with its server's pid and start time (<see cref="RunIds"/>).
    /// </summary>
    public async Task<int> SweepLeftoversAsync(CancellationToken cancellationToken = default)
    {
        var swept = await LeftoverSweeper.SweepRunsAsync(WorkRoot, _cgroups, TimeProvider.System, cancellationToken);
        return swept.Log(_logger, "runs of servers that are gone");
    }

    /// <summary>As root, the sandbox's uid must be able to enter the work root itself (never what is above it).</summary>
    private static string? CheckWorkRoot(string workRoot)
    {
        if (!IsRoot)
        {
            return null;
        }

        try
        {
            if (!Directory.Exists(workRoot))
            {
                Directory.CreateDirectory(workRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"Sandbox:WorkRoot '{workRoot}' cannot be created: {ex.Message}";
        }

        return HostPathStatus.Read(workRoot) is { IsDirectory: true, SearchableByOthers: true }
            ? null
            : $"Sandbox:WorkRoot '{workRoot}' must be a directory the sandbox's uid can enter (mode o+x, e.g. 0711); what is above it does not matter";
    }

    public async Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        var limits = request.Limits ?? SandboxLimits.Default;
        var problems = Validate(request, limits).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(request));
        }

        var runId = RunIds.New();
        if (Isolation.Level == IsolationLevel.Unavailable)
        {
            return Failed(runId, Isolation.Reason!);
        }

        RunDirectory? directory = null;
        CgroupRun? cgroup = null;
        try
        {
            directory = RunDirectory.Create(WorkRoot, runId, request.Files ?? []);
            cgroup = _cgroups?.CreateRun(LeftoverSweeper.RunCgroupPrefix + runId, limits);
            var result = await ExecuteAsync(runId, request, limits, directory.Path, cgroup, cancellationToken);
            LogRun(_logger, runId, result.Verdict, result.CpuMs, result.WallMs, result.MemoryKb);
            return result;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            LogFailure(_logger, runId, ex);
            return Failed(runId, ex.Message);
        }
        finally
        {
            await CleanupAsync(runId, cgroup, directory);
        }
    }

    private async Task<SandboxResult> ExecuteAsync(
        string runId, SandboxRequest request, SandboxLimits limits, string runDirectory, CgroupRun? cgroup, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = BuildStartInfo(request.Command, request.ReadOnlyBinds, limits, runDirectory, cgroup) };
        await ProcessSpawner.StartAsync(process);
        return await SuperviseAsync(
            runId, process, request.Step, limits, cgroup, stopwatch, TimeSpan.Zero, default, request.Stdin, cancellationToken);
    }

    /// <summary>
    /// Watches a started run until it ends: feeds stdin (<paramref name="stdinPrefix"/> first, for a prepared sandbox's
    /// go-line), reads the capped outputs, enforces CPU time (counted from <paramref name="cpuBaseline"/>) and wall time
    /// (from <paramref name="stopwatch"/>), kills what is left and decides the verdict.
    /// </summary>
    private async Task<SandboxResult> SuperviseAsync(
        string runId, Process process, SandboxStep step, SandboxLimits limits, CgroupRun? cgroup, Stopwatch stopwatch,
        TimeSpan cpuBaseline, ReadOnlyMemory<byte> stdinPrefix, ReadOnlyMemory<byte> stdin, CancellationToken cancellationToken)
    {
        var killReason = KillReason.None;
        var killedAtMs = long.MaxValue;
        var killLock = new Lock();
        void Kill(KillReason reason)
        {
            lock (killLock)
            {
                if (killReason == KillReason.None)
                {
                    killReason = reason;
                }
            }

            // Kill the sandbox's init, not the started process: the kernel kills its whole pid namespace and each parent
            // reaps its child, so no process of the run is left a zombie of the host's pid 1 (see SandboxInit). When
            // there is no init yet, or the run outlives the kill by KillEscalation, the started process and the cgroup
            // are killed directly.
            if (!SandboxInit.Kill(process.Id, bwrapDepth: IsRoot ? 1 : 0))
            {
                KillOuter();
            }

            Interlocked.CompareExchange(ref killedAtMs, stopwatch.ElapsedMilliseconds, long.MaxValue);
        }

        void KillOuter()
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            cgroup?.SignalAll();
        }

        var stdout = new CappedOutput(limits.OutputBytes);
        var stderr = new CappedOutput(limits.OutputBytes);
        var readers = Task.WhenAll(
            stdout.ReadToEndAsync(process.StandardOutput.BaseStream, () => Kill(KillReason.Output)),
            stderr.ReadToEndAsync(process.StandardError.BaseStream, () => Kill(KillReason.Output)));
        var writer = WriteStdinAsync(process.StandardInput.BaseStream, stdinPrefix, stdin);
        var exited = process.WaitForExitAsync(CancellationToken.None);

        // The host enforces both clocks: wall time here, CPU time from the cgroup (every process of the run counts).
        // Under reduced isolation RLIMIT_CPU limits each process instead.
        using (cancellationToken.Register(() => Kill(KillReason.Cancelled)))
        {
            while (!exited.IsCompleted)
            {
                await Task.WhenAny(exited, Task.Delay(_options.PollInterval, CancellationToken.None));
                if (cgroup is not null && (cgroup.ReadCpuUsage() - cpuBaseline).TotalMilliseconds >= limits.CpuMs)
                {
                    Kill(KillReason.Cpu);
                }

                if (stopwatch.ElapsedMilliseconds >= limits.WallMs)
                {
                    Kill(KillReason.Wall);
                }

                if (stopwatch.ElapsedMilliseconds - Interlocked.Read(ref killedAtMs) >= KillEscalation.TotalMilliseconds)
                {
                    KillOuter();
                }
            }
        }

        var wallMs = stopwatch.ElapsedMilliseconds;
        if (cgroup is not null)
        {
            await cgroup.KillAllAsync(KillTimeout);
        }

        // Every writer of the pipes is dead now, so the readers reach end of file; the grace period only guards
        // against a bug, after which disposing the process closes the pipes under them.
        await Task.WhenAny(Task.WhenAll(readers, writer), Task.Delay(ReaderGrace, CancellationToken.None));
        cancellationToken.ThrowIfCancellationRequested();

        var cpuMs = cgroup is null ? 0 : Math.Max(0, (long)(cgroup.ReadCpuUsage() - cpuBaseline).TotalMilliseconds);
        var memoryKb = cgroup is null ? 0 : cgroup.ReadPeakMemoryBytes() / 1024;
        var oomKills = cgroup?.ReadOomKills() ?? 0;
        var status = process.ExitCode;
        var stdoutBytes = stdout.ToArray();
        var stderrBytes = stderr.ToArray();

        // bwrap reports a command killed by signal N as exit status 128+N, as a shell does, and so does .NET for the
        // outer bwrap when the host kills it. (A command that itself exits with 128+N reads the same.)
        int? exitCode = status is > 128 and <= 128 + 64 ? null : status;
        var signal = exitCode is null ? SignalNames.Of(status - 128) : null;
        var (verdict, message) = Decide();
        return new SandboxResult(
            runId, verdict, exitCode, signal, cpuMs, wallMs, memoryKb, stdoutBytes, stderrBytes,
            stdout.Truncated, stderr.Truncated, Isolation, message);

        (SandboxVerdict, string?) Decide()
        {
            // The wrapper's own failure: its message is the last line (a tool it ran, mount, may have written before it).
            if (killReason == KillReason.None && status == SandboxCommandBuilder.WrapperFailure
                && Encoding.UTF8.GetString(stderrBytes).TrimEnd().Split('\n')[^1].StartsWith(WrapperName + ": ", StringComparison.Ordinal))
            {
                return (SandboxVerdict.InternalError, Encoding.UTF8.GetString(stderrBytes).Trim());
            }

            if (killReason == KillReason.None && status == 1 && StartsWith(stderrBytes, "bwrap: "))
            {
                return (SandboxVerdict.InternalError, "sandbox setup failed: " + Encoding.UTF8.GetString(stderrBytes).Trim());
            }

            return killReason switch
            {
                KillReason.Output => (SandboxVerdict.OutputLimitExceeded, $"output beyond {limits.OutputBytes} bytes"),
                _ when oomKills > 0 => (SandboxVerdict.MemoryLimitExceeded, $"out of memory at {limits.MemoryMb} MB"),
                KillReason.Cpu => (SandboxVerdict.TimeLimitExceeded, $"CPU time beyond {limits.CpuMs} ms"),
                KillReason.Wall => (SandboxVerdict.TimeLimitExceeded, $"wall time beyond {limits.WallMs} ms"),
                _ when cpuMs >= limits.CpuMs => (SandboxVerdict.TimeLimitExceeded, $"CPU time beyond {limits.CpuMs} ms"),
                _ when cgroup is null && signal == "SIGXCPU" => (SandboxVerdict.TimeLimitExceeded, "CPU time limit (RLIMIT_CPU)"),
                _ when exitCode == 0 => (SandboxVerdict.Ok, null),
                _ => (step == SandboxStep.Compile ? SandboxVerdict.CompileError : SandboxVerdict.RuntimeError, null),
            };
        }
    }

    private ProcessStartInfo BuildStartInfo(
        IReadOnlyList<string> command, IReadOnlyList<SandboxBindMount>? readOnlyBinds, SandboxLimits limits, string runDirectory, CgroupRun? cgroup)
    {
        var argv = _commands!.Build(new SandboxLaunch
        {
            Name = WrapperName,
            Command = command,
            WorkDirectory = new SandboxWorkDirectory(WorkRoot, Path.GetFileName(runDirectory), WorkingDirectory, Writable: false),
            Network = SandboxNetwork.None,
            Hostname = "sandbox",
            TmpfsMb = limits.TmpfsMb,
            ReadOnlyBinds = readOnlyBinds ?? [],
            Cgroup = cgroup,
            FileSizeBytes = limits.FileSizeBytes,
            OpenFiles = limits.OpenFiles,
            // Reduced isolation: no cgroup to count CPU or memory, so per-process rlimits stand in for them.
            CpuSeconds = cgroup is null ? (limits.CpuMs + 999) / 1000 : null,
            AddressSpaceBytes = cgroup is null ? (long)limits.MemoryMb * 1024 * 1024 : null,
            Environment = Environment,
        });
        return SandboxCommandBuilder.StartInfo(argv);
    }

    private static async Task WriteStdinAsync(Stream stdin, ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            if (!prefix.IsEmpty)
            {
                await stdin.WriteAsync(prefix);
                await stdin.FlushAsync();
            }

            if (!bytes.IsEmpty)
            {
                await stdin.WriteAsync(bytes);
            }
        }
        catch (IOException)
        {
            // The command exited without reading all of its input (EPIPE); that is its business.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync();
            }
            catch (IOException)
            {
                // Same: the reader is gone.
            }
        }
    }

    private async Task CleanupAsync(string runId, CgroupRun? cgroup, RunDirectory? directory)
    {
        try
        {
            if (cgroup is not null)
            {
                await cgroup.KillAllAsync(KillTimeout);
                await cgroup.RemoveAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            LogCleanupFailure(_logger, runId, "cgroup", ex);
        }

        try
        {
            directory?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailure(_logger, runId, "run directory", ex);
        }
    }

    private static IEnumerable<string> Validate(SandboxRequest request, SandboxLimits limits)
    {
        if (request.Command.Count == 0 || string.IsNullOrEmpty(request.Command[0]))
        {
            yield return "the command must not be empty";
        }

        foreach (var problem in limits.Validate())
        {
            yield return problem;
        }

        foreach (var problem in RunDirectory.Validate(request.Files ?? []))
        {
            yield return problem;
        }

        foreach (var bind in request.ReadOnlyBinds ?? [])
        {
            if (!Path.IsPathRooted(bind.Source) || !Path.IsPathRooted(bind.Target ?? bind.Source))
            {
                yield return $"bind mount '{bind.Source}' must use absolute paths";
            }
        }
    }

    private SandboxResult Failed(string runId, string message) =>
        new(runId, SandboxVerdict.InternalError, null, null, 0, 0, 0, [], [], false, false, Isolation, message);

    private static bool StartsWith(byte[] bytes, string prefix) => bytes.AsSpan().StartsWith(Encoding.ASCII.GetBytes(prefix));

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox: {Isolation}")]
    private static partial void LogIsolation(ILogger logger, SandboxIsolation isolation);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sandbox run {RunId}: {Verdict}, {CpuMs} ms CPU, {WallMs} ms wall, {MemoryKb} KB")]
    private static partial void LogRun(ILogger logger, string runId, SandboxVerdict verdict, long cpuMs, long wallMs, long memoryKb);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sandbox run {RunId} failed in the host")]
    private static partial void LogFailure(ILogger logger, string runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox run {RunId}: cleaning up the {What} failed")]
    private static partial void LogCleanupFailure(ILogger logger, string runId, string what, Exception exception);
}
