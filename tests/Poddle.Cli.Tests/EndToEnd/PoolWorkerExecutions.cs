namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// How many times sandbox workers ran each job's handler to its end, from their own output: pool_worker.py prints
/// "executed JOB" then, and each pod's output is in {home}/data/pods/POD/log (log.1 once rotated), one record per line,
/// "{unix µs} o|e {text}". A pod's directory goes when its worker is drained, so <see cref="Read"/> is called often
/// (a drained worker idled for the pool's idle timeout after its last job) and every record seen is kept.
/// </summary>
internal sealed class PoolWorkerExecutions(string home)
{
    private const string Marker = "executed ";
    private readonly HashSet<string> _records = new(StringComparer.Ordinal);
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
                        var parts = line.Split(' ', 3);
                        if (parts.Length == 3 && parts[2].StartsWith(Marker, StringComparison.Ordinal))
                        {
                            lock (_gate)
                            {
                                // The timestamp makes each record unique: one execution read twice counts once.
                                _records.Add(Path.GetFileName(pod) + " " + line);
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Not there (yet, or any more): the pod went away while being read.
                }
            }
        }
    }

    /// <summary>Executions by job id, of every record read so far.</summary>
    public Dictionary<string, int> Counts()
    {
        lock (_gate)
        {
            return _records
                .Select(r => r.Split(' ', 4)[3][Marker.Length..].Trim())
                .GroupBy(id => id, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        }
    }
}
