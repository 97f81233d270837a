using System.Collections.Concurrent;
using System.Diagnostics;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Starts processes from one dedicated thread that lives as long as the host process.
/// Why: bwrap --die-with-parent uses PR_SET_PDEATHSIG, whose "parent" is the *thread* that forked the child, and .NET
/// forks on the calling thread. Started from a thread-pool thread, the sandbox would be SIGKILLed whenever the pool
/// retires that thread (seen as random SIGKILLs a few milliseconds into a run). This thread never exits, so the
/// signal fires only when the host process itself dies, which is the point of --die-with-parent.
/// </summary>
internal static class ProcessSpawner
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Queue = [];

    static ProcessSpawner()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "poddle-sandbox-spawner" };
        thread.Start();
    }

    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((process, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (process, started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
