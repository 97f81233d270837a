using System.Collections.Concurrent;
using System.Diagnostics;

namespace Poddle.Testing.RunPod;

/// <summary>
/// The fake's opt-in container runtime (<see cref="RunPodFake.Workloads"/>): a test maps an image to a local command
/// (<see cref="Map"/>), and when a pod of that image is RUNNING the fake starts the command as a local process with the
/// pod's environment, as RunPod starts the container on its machine; the process is killed (with its children) when the
/// pod stops, is terminated or vanishes. Pods of an unmapped image run nothing, as before. What each process wrote
/// (stdout and stderr, line by line) is kept per pod for the test (<see cref="Output"/>). Thread-safe.
/// </summary>
/// <remarks>
/// Invariant: at most one process per pod id at a time, and only while the pod's desiredStatus is RUNNING (checked by
/// <see cref="Reconcile"/>, which the fake calls after every API call and on a short real-time tick).
/// </remarks>
public sealed class RunPodFakeWorkloads : IAsyncDisposable
{
    /// <summary>Lines of output kept per pod (the newest are dropped beyond it).</summary>
    public const int MaxOutputLines = 20_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (IReadOnlyList<string> Command, string? WorkingDirectory)> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Process> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _output = new(StringComparer.Ordinal);
    private int _started;

    /// <summary>Pods of <paramref name="image"/> run <paramref name="command"/> (argv; PATH is searched) in <paramref name="workingDirectory"/>.</summary>
    public void Map(string image, IReadOnlyList<string> command, string? workingDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        lock (_lock)
        {
            _images[image] = ([.. command], workingDirectory);
        }
    }

    /// <summary>How many processes were started so far (one per pod start).</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>The ids of the pods whose process runs now.</summary>
    public IReadOnlyList<string> Running
    {
        get
        {
            lock (_lock)
            {
                return [.. _running.Where(r => !r.Value.HasExited).Select(r => r.Key)];
            }
        }
    }

    /// <summary>What pod <paramref name="podId"/>'s processes wrote, line by line ("o " stdout, "e " stderr), every start included.</summary>
    public IReadOnlyList<string> Output(string podId) => _output.TryGetValue(podId, out var lines) ? [.. lines] : [];

    /// <summary>Every pod's output so far, by pod id (pods gone included).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AllOutput() =>
        _output.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value], StringComparer.Ordinal);

    /// <summary>Starts the process of each RUNNING pod of a mapped image that has none; kills those whose pod is not RUNNING or gone.</summary>
    internal void Reconcile(IReadOnlyList<RunPodFakePod> pods)
    {
        var byId = pods.ToDictionary(p => p.Id, StringComparer.Ordinal);
        lock (_lock)
        {
            if (_images.Count == 0 && _running.Count == 0)
            {
                return;
            }

            foreach (var (podId, process) in _running.ToList())
            {
                if (!byId.TryGetValue(podId, out var pod) || pod.DesiredStatus != "RUNNING")
                {
                    Kill(process);
                    _running.Remove(podId);
                }
            }

            foreach (var pod in pods)
            {
                if (pod.DesiredStatus == "RUNNING" && !_running.ContainsKey(pod.Id)
                    && pod.ImageName is { } image && _images.TryGetValue(image, out var workload))
                {
                    _running[pod.Id] = Start(pod, workload.Command, workload.WorkingDirectory);
                    Interlocked.Increment(ref _started);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<Process> all;
        lock (_lock)
        {
            all = [.. _running.Values];
            _running.Clear();
            _images.Clear();
        }

        foreach (var process in all)
        {
            Kill(process);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Left to the operating system; the test is over.
            }

            process.Dispose();
        }
    }

    private Process Start(RunPodFakePod pod, IReadOnlyList<string> command, string? workingDirectory)
    {
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        // A container sees its image's environment and the pod's, nothing of the host's but a PATH to find the command.
        info.Environment.Clear();
        info.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var entry in pod.Env)
        {
            var at = entry.IndexOf('=', StringComparison.Ordinal);
            if (at > 0)
            {
                info.Environment[entry[..at]] = entry[(at + 1)..];
            }
        }

        var lines = _output.GetOrAdd(pod.Id, _ => new ConcurrentQueue<string>());
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Keep(lines, "o ", e.Data);
        process.ErrorDataReceived += (_, e) => Keep(lines, "e ", e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Keep(ConcurrentQueue<string> lines, string stream, string? line)
    {
        if (line is not null && lines.Count < MaxOutputLines)
        {
            lines.Enqueue(stream + line);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
