using System.Diagnostics;

namespace Poddle.Agent.Supervisor;

/// <summary>
/// The processes the agent starts itself (the app, the validation command), so that the zombie reaper never reaps
/// one of them: their exit status belongs to <see cref="Process"/>. Starting and registering happen under the same
/// lock the reaper holds while it reaps, so no child can exit and be reaped between fork and registration.
/// </summary>
public sealed class ChildProcesses
{
    private readonly Lock _gate = new();
    private readonly HashSet<int> _pids = [];

    /// <summary>Starts <paramref name="start"/> and registers its pid until <see cref="Forget"/>.</summary>
    public Process Start(ProcessStartInfo start)
    {
        lock (_gate)
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
            _pids.Add(process.Id);
            return process;
        }
    }

    /// <summary>Call once <see cref="Process"/> has seen the exit (it reaped the child itself).</summary>
    public void Forget(int pid)
    {
        lock (_gate)
        {
            _pids.Remove(pid);
        }
    }

    /// <summary>Runs <paramref name="action"/> with no start in between, telling it which pids are the agent's own.</summary>
    internal void Exclusive(Action<IReadOnlySet<int>> action)
    {
        lock (_gate)
        {
            action(_pids);
        }
    }
}
