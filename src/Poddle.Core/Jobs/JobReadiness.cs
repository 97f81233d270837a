using Microsoft.Extensions.Logging;

namespace Poddle.Core.Jobs;

/// <summary>
/// Which job kinds this process may hand to their handlers now: every kind, less those of a <see cref="JobReadinessGate"/>
/// that has not opened yet. <see cref="JobProcessor"/> claims through <see cref="Restrict"/>, so a job is never given to a
/// handler that is not ready, and a gate that opens wakes the lanes of its kinds (<see cref="JobSignal"/>), so the
/// waiting jobs start at once. The gates' tasks are read at first use, once the host has built its services.
/// </summary>
public sealed partial class JobReadiness
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    private readonly Lazy<IReadOnlyList<(JobReadinessGate Gate, Task Ready)>> _pending;
    private volatile bool _allOpen;

    public JobReadiness(IEnumerable<JobReadinessGate> gates, IServiceProvider services, JobSignal signal, ILogger<JobReadiness> logger)
    {
        var all = gates.ToList();
        _pending = new Lazy<IReadOnlyList<(JobReadinessGate, Task)>>(() => Watch(all, services, signal, logger), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The kinds a gate still holds (a gate is open as soon as its task has completed successfully).</summary>
    public IReadOnlySet<string> WaitingKinds
    {
        get
        {
            if (_allOpen)
            {
                return None;
            }

            var waiting = _pending.Value.Where(p => !p.Ready.IsCompletedSuccessfully).SelectMany(p => p.Gate.Kinds).ToHashSet(StringComparer.Ordinal);
            _allOpen = waiting.Count == 0;
            return waiting;
        }
    }

    /// <summary>
    /// <paramref name="kinds"/> less the kinds a gate still holds; null when nothing it matches may run now (a lane whose
    /// every kind waits).
    /// </summary>
    public JobKindFilter? Restrict(JobKindFilter kinds)
    {
        var waiting = WaitingKinds;
        if (waiting.Count == 0)
        {
            return kinds;
        }

        if (kinds.Only.Count > 0)
        {
            var open = kinds.Only.Where(k => !waiting.Contains(k)).ToList();
            return open.Count == 0 ? null : kinds with { Only = open };
        }

        return kinds with { Except = [.. kinds.Except.Union(waiting, StringComparer.Ordinal)] };
    }

    /// <summary>The gates not open yet, each with its task; when one opens, the lanes of its kinds are woken.</summary>
    private static List<(JobReadinessGate, Task)> Watch(List<JobReadinessGate> gates, IServiceProvider services, JobSignal signal, ILogger logger)
    {
        var pending = new List<(JobReadinessGate, Task)>();
        foreach (var gate in gates)
        {
            var ready = gate.Ready(services);
            if (ready.IsCompletedSuccessfully)
            {
                continue;
            }

            pending.Add((gate, ready));
            var kinds = string.Join(", ", gate.Kinds);
            LogWaiting(logger, gate.Name, kinds);
            _ = ready.ContinueWith(
                done =>
                {
                    if (!done.IsCompletedSuccessfully)
                    {
                        // A dependency that failed to start: its jobs stay queued, for a server where it works.
                        LogFailed(logger, done.Exception, gate.Name, kinds);
                        return;
                    }

                    LogOpened(logger, gate.Name, kinds);
                    foreach (var kind in gate.Kinds)
                    {
                        signal.Wake(kind);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return pending;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jobs of {Kinds} wait for {Gate} before this server runs them")]
    private static partial void LogWaiting(ILogger logger, string gate, string kinds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Gate} is ready: this server runs jobs of {Kinds}")]
    private static partial void LogOpened(ILogger logger, string gate, string kinds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Gate} failed to start: this server runs no jobs of {Kinds}; they stay queued")]
    private static partial void LogFailed(ILogger logger, Exception? exception, string gate, string kinds);
}
