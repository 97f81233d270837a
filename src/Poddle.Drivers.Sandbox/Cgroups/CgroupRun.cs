namespace Poddle.Drivers.Sandbox.Cgroups;

/// <summary>The cgroup of one run: created with its limits, read for measurements, emptied and removed at the end.</summary>
public abstract class CgroupRun
{
    private protected CgroupRun(CgroupFileSystem fileSystem) => FileSystem = fileSystem;

    private protected CgroupFileSystem FileSystem { get; }

    /// <summary>The cgroup.procs files a process writes its own pid into to join the run's cgroup(s).</summary>
    public abstract IReadOnlyList<string> ProcsFiles { get; }

    /// <summary>The run's directories (one per v1 hierarchy, one for v2); gone after <see cref="RemoveAsync"/>.</summary>
    public abstract IReadOnlyList<string> Directories { get; }

    /// <summary>Writes the limits (memory, CPU quota, pids); also used to change a prepared sandbox's limits at hand-out.</summary>
    public abstract void Apply(SandboxLimits limits);

    /// <summary>CPU time used by every process that was ever in the cgroup, children included.</summary>
    public abstract TimeSpan ReadCpuUsage();

    /// <summary>Peak memory in bytes, or 0 when the kernel does not report it.</summary>
    public abstract long ReadPeakMemoryBytes();

    /// <summary>Memory in use now (page cache and tmpfs pages included), in bytes.</summary>
    public abstract long ReadMemoryBytes();

    /// <summary>The memory limit in bytes, or null when there is none.</summary>
    public abstract long? ReadMemoryLimitBytes();

    /// <summary>True while at least one of the run's directories exists.</summary>
    public bool Exists() => Directories.Any(Directory.Exists);

    /// <summary>How many processes the OOM killer killed in this cgroup.</summary>
    public abstract long ReadOomKills();

    /// <summary>True when no process is left in the cgroup.</summary>
    public abstract bool IsEmpty();

    /// <summary>Sends SIGKILL to every process in the cgroup once; see <see cref="KillAllAsync"/>.</summary>
    public abstract void SignalAll();

    /// <summary>Kills every process in the cgroup and returns once it is empty (or throws after <paramref name="timeout"/>).</summary>
    public async Task KillAllAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        // A process may fork between reading cgroup.procs and the kill, so repeat until the cgroup is empty.
        while (true)
        {
            SignalAll();
            if (IsEmpty())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"processes are still alive in {string.Join(", ", Directories)} after SIGKILL");
            }

            // Usually the last processes are exiting already (the pid namespace's init is gone): look again soon.
            await Task.Delay(1);
        }
    }

    /// <summary>Removes the directories of a run that never had a process (creation failed half-way); no retry is needed.</summary>
    public void RemoveUnused()
    {
        foreach (var directory in Directories)
        {
            if (Directory.Exists(directory))
            {
                FileSystem.DeleteDirectory(directory);
            }
        }
    }

    /// <summary>Removes the run's cgroup directories; the cgroup must be empty.</summary>
    public async Task RemoveAsync()
    {
        foreach (var directory in Directories)
        {
            // rmdir of a just-emptied cgroup can report EBUSY for a moment while the kernel finishes the exit of its tasks.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    if (Directory.Exists(directory))
                    {
                        FileSystem.DeleteDirectory(directory);
                    }

                    break;
                }
                catch (IOException) when (attempt < 50)
                {
                    await Task.Delay(10);
                }
            }
        }
    }

    protected static void KillPidsIn(string procsFile)
    {
        foreach (var pid in ReadPids(procsFile))
        {
            _ = NativeMethods.Kill(pid, NativeMethods.SigKill);
        }
    }

    protected static List<int> ReadPids(string procsFile)
    {
        var pids = new List<int>();
        if (!File.Exists(procsFile))
        {
            return pids;
        }

        foreach (var line in File.ReadAllLines(procsFile))
        {
            if (int.TryParse(line, out var pid) && pid > 0)
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    protected static string? ReadOptional(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    /// <summary>The value of "key N" in a flat-keyed file (memory.events, cpu.stat, memory.oom_control), 0 when absent.</summary>
    protected static long ReadKey(string path, string key) => TryReadKey(path, key) ?? 0;

    /// <summary>The value of "key N" in a flat-keyed file, or null when the file or the key does not exist.</summary>
    protected static long? TryReadKey(string path, string key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var value))
            {
                return value;
            }
        }

        return null;
    }
}
