using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Drivers.Sandbox.Cgroups;

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

    internal const string WrapperName = "poddle-sandbox";
    private const int WrapperFailure = 125;

    // The wrapper writes its own pid ($$) into every cgroup.procs file given before "--", then execs the rest. The pid
    // keeps its cgroups across exec and every process forks from it, so nothing of the run ever executes outside the
    // cgroup: no race between spawn and join, and no untrusted code has run yet when the join happens.
    internal const string WrapperScript =
        "n=0; for f do n=$((n+1)); [ \"$f\" = -- ] && break; " +
        "echo $$ > \"$f\" || { echo \"$0: cannot join cgroup $f\" >&2; exit 125; }; done; shift $n; exec \"$@\"";

    private static readonly TimeSpan ReaderGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KillEscalation = TimeSpan.FromSeconds(1);

    private readonly SandboxOptions _options;
    private readonly ILogger _logger;
    private readonly CgroupController? _cgroups;

    public SandboxRunner(SandboxOptions options, ILogger<SandboxRunner>? logger = null)
    {
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        (Isolation, _cgroups) = Detect(options);
        LogIsolation(_logger, Isolation);
    }

    /// <summary>What runs get on this host, decided once at construction.</summary>
    public SandboxIsolation Isolation { get; }

    private static bool IsRoot => System.Environment.IsPrivilegedProcess;

    private enum KillReason
    {
        None,
        Cpu,
        Wall,
        Output,
        Cancelled,
    }

    /// <summary>Detects the isolation this host allows: bubblewrap and the wrapper's tools, then a writable cgroup hierarchy.</summary>
    public static (SandboxIsolation Isolation, CgroupController? Controller) Detect(SandboxOptions options)
    {
        var tools = new List<string> { options.BwrapPath, "/bin/sh", "/usr/bin/prlimit" };
        if (IsRoot)
        {
            tools.Add("/usr/bin/setpriv");
            tools.Add("/usr/bin/unshare");
        }

        var missing = tools.Where(t => !File.Exists(t)).ToArray();
        if (missing.Length > 0)
        {
            return (new SandboxIsolation(IsolationLevel.Unavailable, null, $"missing {string.Join(", ", missing)} (apt-get install bubblewrap util-linux)"), null);
        }

        if (!options.UseCgroups)
        {
            return (new SandboxIsolation(IsolationLevel.Reduced, null, "cgroups are turned off (Sandbox:UseCgroups=false); rlimits only"), null);
        }

        var detection = CgroupController.Detect(options.CgroupParent);
        return detection.Controller is { } controller
            ? (new SandboxIsolation(IsolationLevel.Full, controller.Version, null), controller)
            : (new SandboxIsolation(IsolationLevel.Reduced, null, $"no writable cgroups ({detection.Reason}); rlimits only"), null);
    }

    public async Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        var limits = request.Limits ?? SandboxLimits.Default;
        var problems = Validate(request, limits).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(request));
        }

        var runId = Guid.NewGuid().ToString("N")[..16];
        if (Isolation.Level == IsolationLevel.Unavailable)
        {
            return Failed(runId, Isolation.Reason!);
        }

        RunDirectory? directory = null;
        CgroupRun? cgroup = null;
        try
        {
            directory = RunDirectory.Create(_options.WorkRoot ?? Path.GetTempPath(), runId, request.Files ?? []);
            cgroup = _cgroups?.CreateRun("run-" + runId, limits);
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
            if (killReason == KillReason.None && status == WrapperFailure && StartsWith(stderrBytes, WrapperName + ": "))
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
        // As root, unshare comes first and stays outside the run's cgroup (see below), so the cgroup sweep never kills it.
        var start = new ProcessStartInfo(IsRoot ? "/usr/bin/unshare" : "/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";

        var args = start.ArgumentList;
        if (IsRoot)
        {
            // bwrap returns as soon as its init reports the command's exit, while the init is still killing the rest of
            // the namespace: the init is orphaned, and a zombie of the host's pid 1 until that reaps it (forever where
            // the server is pid 1 of a container). A pid namespace of our own, with bwrap as its init, keeps every
            // process of the run inside: when bwrap exits the kernel kills and reaps them all, and unshare returns
            // bwrap's status (re-raising a signal). unshare itself is the host's direct child and never joins the run's
            // cgroup: were it killed by the cgroup sweep before bwrap, bwrap would be orphaned to the host's pid 1 and
            // left a zombie there. See SandboxInit for the kill.
            Add(args, "--pid", "--fork", "--kill-child", "/bin/sh");
        }

        args.Add("-c");
        args.Add(WrapperScript);
        args.Add(WrapperName);
        foreach (var procs in cgroup?.ProcsFiles ?? [])
        {
            args.Add(procs);
        }

        args.Add("--");
        if (IsRoot)
        {
            // bwrap run by root would map the sandbox's uid onto host root, whose files (0600 root-owned) it could read:
            // drop to an unprivileged host uid first, so bwrap builds an unprivileged user namespace.
            Add(args, "/usr/bin/setpriv", $"--reuid={_options.SandboxUid}", $"--regid={_options.SandboxGid}", "--clear-groups");
        }

        // rlimits are inherited through bwrap to the command; they apply to every process of the run.
        Add(args, "/usr/bin/prlimit", Invariant($"--fsize={limits.FileSizeBytes}"), Invariant($"--nofile={limits.OpenFiles}"), "--core=0");
        if (cgroup is null)
        {
            // Reduced isolation: no cgroup to count CPU or memory, so per-process rlimits stand in for them.
            var cpuSeconds = (limits.CpuMs + 999) / 1000;
            Add(args, Invariant($"--cpu={cpuSeconds}:{cpuSeconds + 1}"), Invariant($"--as={(long)limits.MemoryMb * 1024 * 1024}"));
        }

        args.Add("--");
        args.Add(_options.BwrapPath);
        Add(args, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL");
        Add(args, "--uid", Invariant($"{_options.SandboxUid}"), "--gid", Invariant($"{_options.SandboxGid}"), "--hostname", "sandbox");
        foreach (var path in _options.SystemPaths)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                Add(args, "--symlink", target, path);
            }
            else if (info.Exists || Directory.Exists(path))
            {
                Add(args, "--ro-bind", path, path);
            }
        }

        foreach (var bind in readOnlyBinds ?? [])
        {
            Add(args, "--ro-bind", bind.Source, bind.Target ?? bind.Source);
        }

        var tmpfsBytes = Invariant($"{(long)limits.TmpfsMb * 1024 * 1024}");
        Add(args, "--proc", "/proc", "--dev", "/dev");
        Add(args, "--size", tmpfsBytes, "--tmpfs", "/tmp", "--size", tmpfsBytes, "--tmpfs", "/dev/shm");
        Add(args, "--ro-bind", runDirectory, WorkingDirectory, "--chdir", WorkingDirectory, "--remount-ro", "/");
        args.Add("--clearenv");
        foreach (var (name, value) in Environment)
        {
            Add(args, "--setenv", name, value);
        }

        args.Add("--");
        foreach (var arg in command)
        {
            args.Add(arg);
        }

        return start;
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

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Add(System.Collections.ObjectModel.Collection<string> args, params string[] values)
    {
        foreach (var value in values)
        {
            args.Add(value);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox: {Isolation}")]
    private static partial void LogIsolation(ILogger logger, SandboxIsolation isolation);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sandbox run {RunId}: {Verdict}, {CpuMs} ms CPU, {WallMs} ms wall, {MemoryKb} KB")]
    private static partial void LogRun(ILogger logger, string runId, SandboxVerdict verdict, long cpuMs, long wallMs, long memoryKb);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sandbox run {RunId} failed in the host")]
    private static partial void LogFailure(ILogger logger, string runId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox run {RunId}: cleaning up the {What} failed")]
    private static partial void LogCleanupFailure(ILogger logger, string runId, string what, Exception exception);
}
