using System.Globalization;
using Microsoft.Extensions.Logging;
using Poddle.Agent.Native;

namespace Poddle.Agent.Supervisor;

/// <summary>
/// Reaps orphans re-parented to the agent (it is PID 1 in a container, or a child subreaper), which would otherwise
/// stay zombies forever.
/// </summary>
/// <remarks>
/// It never calls <c>waitpid(-1)</c>: that would also collect the exit status of the app and of every other child
/// that <see cref="System.Diagnostics.Process"/> started (the runtime reaps its own children by pid on SIGCHLD), and
/// <c>Process</c> would then never learn the app's exit code. Instead, every second it lists its zombie children in
/// /proc (state Z, parent = the agent) and reaps each by its pid with <c>waitpid(pid, WNOHANG)</c>, skipping
/// (1) the pids of <see cref="ChildProcesses"/> and (2) any zombie it has not already seen on the previous scan: the
/// runtime reaps its own children within milliseconds of SIGCHLD, so a zombie still there a scan later is not one of
/// them (this covers processes started by code that does not go through <see cref="ChildProcesses"/>, such as the
/// health checks' nvidia-smi).
/// </remarks>
public sealed partial class ZombieReaper(ChildProcesses children, ILogger<ZombieReaper> logger, TimeProvider time, string procRoot = "/proc")
{
    private HashSet<int> _seen = [];

    /// <summary>Orphans reaped so far.</summary>
    public int Reaped { get; private set; }

    /// <summary>True when the agent is PID 1 (orphans are re-parented to it).</summary>
    public static bool IsInitProcess => Environment.ProcessId == 1;

    /// <summary>Makes the agent a child subreaper: orphans of its descendants are re-parented to it instead of PID 1.</summary>
    public static bool TryBecomeSubreaper() => LibC.Prctl(LibC.PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>Scans and reaps every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                ReapOnce();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One scan: reaps the orphan zombies seen on the previous scan too; returns how many.</summary>
    public int ReapOnce()
    {
        var reaped = 0;
        children.Exclusive(own =>
        {
            var zombies = ZombieChildren();
            foreach (var pid in zombies)
            {
                if (own.Contains(pid) || !_seen.Contains(pid))
                {
                    continue;
                }

                if (LibC.WaitPid(pid, out var status, LibC.WNoHang) == pid)
                {
                    reaped++;
                    LogReaped(logger, pid, status);
                }
            }

            _seen = zombies;
        });
        Reaped += reaped;
        return reaped;
    }

    private HashSet<int> ZombieChildren()
    {
        var self = Environment.ProcessId;
        var zombies = new HashSet<int>();
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories(procRoot);
        }
        catch (IOException)
        {
            return zombies;
        }

        foreach (var entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(entry, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // It went away between listing and reading.
            }

            // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
            var close = stat.LastIndexOf(')');
            if (close < 0)
            {
                continue;
            }

            var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 1 && fields[0] == "Z" && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) && parent == self)
            {
                zombies.Add(pid);
            }
        }

        return zombies;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reaped orphan process {Pid} (wait status {Status})")]
    private static partial void LogReaped(ILogger logger, int pid, int status);
}
