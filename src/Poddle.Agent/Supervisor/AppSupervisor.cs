using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Poddle.Agent.Native;
using Poddle.Contracts;

namespace Poddle.Agent.Supervisor;

/// <summary>What the supervisor needs from the agent's options.</summary>
public sealed record SupervisorSettings(
    IReadOnlyList<string> Command,
    bool Shell,
    RestartPolicy Restart,
    TimeSpan RestartDelay,
    TimeSpan RestartMaxDelay,
    TimeSpan RestartResetAfter,
    TimeSpan GracePeriod);

/// <summary>
/// Runs the app in the foreground of the pod: starts it (its own process group, stdio inherited), restarts it by the
/// policy with exponential back-off, forwards signals to it, and on SIGTERM/SIGINT stops it within the grace period
/// (then SIGKILL to its process group and every descendant). <see cref="RunAsync"/> returns the app's exit code,
/// 128 + signal when a signal ended it.
/// </summary>
public sealed partial class AppSupervisor : IDisposable
{
    /// <summary>Exit code when the app's program does not exist (as shells report it).</summary>
    public const int CommandNotFound = 127;

    /// <summary>Exit code when the app's program exists but cannot be executed.</summary>
    public const int CommandNotExecutable = 126;

    private static readonly string[] SetsidCandidates = ["/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid"];

    private readonly SupervisorSettings _settings;
    private readonly ChildProcesses _children;
    private readonly ILogger<AppSupervisor> _logger;
    private readonly TimeProvider _time;
    private readonly IReadOnlyDictionary<string, string> _variables;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Process? _current;
    private ITimer? _graceTimer;
    private volatile AgentAppState _state = new(AgentAppStates.Starting, null, 0, null, null);

    /// <remarks>variables: The environment; PODDLE_AGENT_TOKEN is not passed on to the app.</remarks>
    public AppSupervisor(SupervisorSettings settings, ChildProcesses children, IReadOnlyDictionary<string, string> variables, ILogger<AppSupervisor> logger, TimeProvider time)
    {
        _settings = settings;
        _children = children;
        _variables = variables;
        _logger = logger;
        _time = time;
    }

    /// <summary>The app as it is now (copied into every health report).</summary>
    public AgentAppState State => _state;

    /// <summary>Set once a stop was requested (SIGTERM/SIGINT).</summary>
    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Runs the app until it ends for good (policy) or a stop; returns the exit code the agent should exit with.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var backoff = new RestartBackoff(_settings.RestartDelay, _settings.RestartMaxDelay, _settings.RestartResetAfter);
        var restarts = 0;
        int? lastExit = null;
        ProcessStartInfo? start;
        string? notFound;
        try
        {
            start = BuildStartInfo(out notFound);
        }
        catch (Win32Exception ex)
        {
            LogCannotStart(_logger, _settings.Command[0], ex.Message);
            _state = new AgentAppState(AgentAppStates.Exited, null, 0, CommandNotExecutable, null);
            return CommandNotExecutable;
        }

        if (start is null)
        {
            LogNotFound(_logger, notFound!);
            _state = new AgentAppState(AgentAppStates.Exited, null, 0, CommandNotFound, null);
            return CommandNotFound;
        }

        while (true)
        {
            if (linked.IsCancellationRequested)
            {
                _state = _state with { State = AgentAppStates.Stopped, Pid = null };
                return lastExit ?? 0;
            }

            _state = new AgentAppState(AgentAppStates.Starting, null, restarts, lastExit, null);
            Process process;
            try
            {
                process = _children.Start(start);
            }
            catch (Win32Exception ex)
            {
                LogCannotStart(_logger, _settings.Command[0], ex.Message);
                _state = new AgentAppState(AgentAppStates.Exited, null, restarts, CommandNotExecutable, null);
                return CommandNotExecutable;
            }

            var startedAt = _time.GetUtcNow();
            var started = _time.GetTimestamp();
            lock (_gate)
            {
                _current = process;
            }

            _state = new AgentAppState(AgentAppStates.Running, process.Id, restarts, lastExit, startedAt);
            LogStarted(_logger, process.Id, restarts + 1);
            if (IsStopping)
            {
                // A stop raced with the start: the new process must get the signal the old one would have.
                SignalApp(LibC.SigTerm);
            }

            int exit;
            using (process)
            {
                await process.WaitForExitAsync(CancellationToken.None);
                exit = process.ExitCode;
                lock (_gate)
                {
                    _current = null;
                }

                _children.Forget(process.Id);
            }

            var uptime = _time.GetElapsedTime(started);
            lastExit = exit;
            LogExited(_logger, exit, Describe(exit), uptime.TotalSeconds);
            if (linked.IsCancellationRequested)
            {
                _state = new AgentAppState(AgentAppStates.Stopped, null, restarts, exit, null);
                return exit;
            }

            var restart = _settings.Restart switch
            {
                RestartPolicy.Always => true,
                RestartPolicy.OnFailure => exit != 0,
                _ => false,
            };
            if (!restart)
            {
                _state = new AgentAppState(AgentAppStates.Exited, null, restarts, exit, null);
                LogNotRestarting(_logger, _settings.Restart, exit);
                return exit;
            }

            var delay = backoff.NextDelay(uptime);
            restarts++;
            _state = new AgentAppState(AgentAppStates.Backoff, null, restarts, exit, null);
            LogBackoff(_logger, delay.TotalSeconds, restarts);
            try
            {
                await Task.Delay(delay, _time, linked.Token);
            }
            catch (OperationCanceledException)
            {
                _state = _state with { State = AgentAppStates.Stopped };
                return exit;
            }
        }
    }

    /// <summary>
    /// SIGTERM or SIGINT arrived: forward it to the app and, from the first one on, give it the grace period before
    /// SIGKILL. Safe to call from a signal handler (it only signals and arms a timer).
    /// </summary>
    public void RequestStop(int signal)
    {
        lock (_gate)
        {
            if (!_stopping.IsCancellationRequested)
            {
                var name = SignalName(signal);
                var grace = _settings.GracePeriod.TotalSeconds;
                LogStopping(_logger, name, grace);
                _stopping.Cancel();
                _graceTimer = _time.CreateTimer(_ => KillApp(), null, _settings.GracePeriod, Timeout.InfiniteTimeSpan);
            }
        }

        SignalApp(signal);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _graceTimer?.Dispose();
        }

        _stopping.Dispose();
    }

    /// <summary>Passes a signal on to the app (SIGHUP to reload, SIGUSR1 ...) without stopping anything.</summary>
    public void Forward(int signal) => SignalApp(signal);

    internal static string Describe(int exit) => exit > 128 && exit < 128 + 65 ? $"killed by {SignalName(exit - 128)}" : $"exit code {exit}";

    internal static string SignalName(int signal) => signal switch
    {
        LibC.SigHup => "SIGHUP",
        LibC.SigInt => "SIGINT",
        LibC.SigQuit => "SIGQUIT",
        LibC.SigKill => "SIGKILL",
        LibC.SigUsr1 => "SIGUSR1",
        LibC.SigUsr2 => "SIGUSR2",
        LibC.SigTerm => "SIGTERM",
        6 => "SIGABRT",
        11 => "SIGSEGV",
        _ => "signal " + signal,
    };

    /// <summary>Resolves a program name the way execvp would (PATH), so a missing program is reported before any start.</summary>
    internal static string? ResolveExecutable(string name, string? path)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        }

        foreach (var directory in (path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private ProcessStartInfo? BuildStartInfo(out string? notFound)
    {
        IReadOnlyList<string> argv = _settings.Shell ? ["/bin/sh", "-c", string.Join(' ', _settings.Command)] : _settings.Command;
        _variables.TryGetValue("PATH", out var path);
        var program = ResolveExecutable(argv[0], path);
        if (program is null)
        {
            notFound = argv[0];
            return null;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(program) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            throw new Win32Exception(13, $"{program} is not executable");
        }

        notFound = null;

        // setsid(1) (util-linux or busybox) calls setsid() and execs the app in place (same pid, as it is not a group
        // leader), so the app leads its own process group: signals reach its children too, SIGKILL of the group takes
        // them all, and a terminal's Ctrl+C reaches the app once, through the agent. Without setsid the app shares
        // the agent's group and signals go to its pid (and the tree kill at the end of the grace period).
        var setsid = SetsidCandidates.FirstOrDefault(File.Exists);
        var start = new ProcessStartInfo(setsid ?? program) { UseShellExecute = false };
        if (setsid is not null)
        {
            start.ArgumentList.Add(program);
        }

        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (key, value) in _variables)
        {
            // The agent's token authenticates the agent to the server; the app has no use for it.
            if (key != Options.AgentOptionsBuilder.TokenVariable)
            {
                start.Environment[key] = value;
            }
        }

        return start;
    }

    private void SignalApp(int signal)
    {
        Process? process;
        lock (_gate)
        {
            process = _current;
        }

        if (process is null)
        {
            return;
        }

        int pid;
        try
        {
            pid = process.Id;
        }
        catch (InvalidOperationException)
        {
            return;
        }

        // The group first (the app and its children); the pid alone when the app does not lead a group (yet).
        if (LibC.GetPgid(pid) != pid || LibC.Kill(-pid, signal) != 0)
        {
            _ = LibC.Kill(pid, signal);
        }
    }

    private void KillApp()
    {
        Process? process;
        lock (_gate)
        {
            process = _current;
            _graceTimer?.Dispose();
        }

        if (process is null)
        {
            return;
        }

        LogGraceExpired(_logger, _settings.GracePeriod.TotalSeconds);
        SignalApp(LibC.SigKill);
        try
        {
            // Descendants that left the app's group (setsid of their own) are found through /proc.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
        catch (Win32Exception)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "App started (pid {Pid}, start #{Start})")]
    private static partial void LogStarted(ILogger logger, int pid, int start);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App exited: {Exit} ({Description}) after {UptimeSeconds:0.0} s")]
    private static partial void LogExited(ILogger logger, int exit, string description, double uptimeSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restarting the app in {DelaySeconds:0.###} s (restart #{Restart})")]
    private static partial void LogBackoff(ILogger logger, double delaySeconds, int restart);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restart policy {Policy}: not restarting after exit code {Exit}; the agent exits with it")]
    private static partial void LogNotRestarting(ILogger logger, RestartPolicy policy, int exit);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Signal} received: stopping the app (grace period {GraceSeconds:0.###} s)")]
    private static partial void LogStopping(ILogger logger, string signal, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The app did not stop within the grace period of {GraceSeconds:0.###} s: sending SIGKILL to its process group")]
    private static partial void LogGraceExpired(ILogger logger, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "App command not found: {Program} (not a file, nor in PATH)")]
    private static partial void LogNotFound(ILogger logger, string program);

    [LoggerMessage(Level = LogLevel.Error, Message = "App command {Program} cannot be started: {Reason}")]
    private static partial void LogCannotStart(ILogger logger, string program, string reason);
}
