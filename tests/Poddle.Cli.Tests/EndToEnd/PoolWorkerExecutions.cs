namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// How many times pool workers ran each job's handler to its end, from their own output: pool_worker.py prints
/// "executed JOB" then. A sandbox pod's output is in {home}/data/pods/POD/log (log.1 once rotated), one record per line,
/// "{unix µs} o|e {text}"; a Docker worker's is its container's log (`docker logs --timestamps`). A pod's directory and a
/// container go when their worker is drained, so <see cref="Read"/> or <see cref="ReadContainersAsync"/> is called often
/// (a drained worker idled for the pool's idle timeout after its last job) and every record seen is kept.
/// </summary>
internal sealed class PoolWorkerExecutions(string home)
{
    private const string Marker = "executed ";

    /// <summary>Job id by record (the worker and its timestamped line): one execution read twice counts once.</summary>
    private readonly Dictionary<string, string> _records = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Reads the pods' logs now and keeps the execution records in them.</summary>
    public void Read()
    {
        var pods = Path.Combine(home, "data", "pods");
        if (!Directory.Exists(pods))
        {
            return;
        }

        foreach (var pod in Directory.EnumerateDirectories(pods))
        {
            foreach (var log in new[] { Path.Combine(pod, "log.1"), Path.Combine(pod, "log") })
            {
                try
                {
                    foreach (var line in File.ReadLines(log))
                    {
                        Keep(Path.GetFileName(pod), line, line.Split(' ', 3) is [_, _, var text] ? text : null);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Not there (yet, or any more): the pod went away while being read.
                }
            }
        }
    }

    /// <summary>Reads the logs of <paramref name="poolId"/>'s containers (running or stopped) now and keeps the execution records in them.</summary>
    public async Task ReadContainersAsync(Guid poolId)
    {
        foreach (var container in await DockerCli.ContainersAsync(poolId, all: true))
        {
            // A container removed while being read has no logs: an empty answer.
            foreach (var line in (await DockerCli.RunAsync("logs", "--timestamps", container)).Split('\n'))
            {
                Keep(container, line, line.Split(' ', 2) is [_, var text] ? text : null);
            }
        }
    }

    /// <summary>Executions by job id, of every record read so far.</summary>
    public Dictionary<string, int> Counts()
    {
        lock (_gate)
        {
            return _records.Values
                .GroupBy(id => id, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        }
    }

    /// <summary>Keeps <paramref name="line"/> of <paramref name="worker"/> when its <paramref name="text"/> is an execution record.</summary>
    private void Keep(string worker, string line, string? text)
    {
        if (text is not null && text.StartsWith(Marker, StringComparison.Ordinal))
        {
            lock (_gate)
            {
                // The timestamp makes each record unique.
                _records[worker + " " + line] = text[Marker.Length..].Trim();
            }
        }
    }
}
