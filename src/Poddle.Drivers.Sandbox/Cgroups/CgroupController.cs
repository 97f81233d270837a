namespace Poddle.Drivers.Sandbox.Cgroups;

/// <summary>Creates per-run cgroups on one cgroup version; <see cref="Detect(string, string?)"/> picks the version this host offers.</summary>
public abstract class CgroupController
{
    private static readonly string[] V1Controllers = ["memory", "cpu", "cpuacct", "pids"];
    private static readonly string[] V2Controllers = ["memory", "cpu", "pids"];

    /// <summary>"v1" or "v2".</summary>
    public abstract string Version { get; }

    /// <summary>Creates the run's cgroup with its limits set; nothing is in it yet.</summary>
    public abstract CgroupRun CreateRun(string name, SandboxLimits limits);

    /// <summary>The cgroup of a run created earlier (possibly by another process, as a pod's after a server restart); nothing is created.</summary>
    public abstract CgroupRun OpenRun(string name);

    /// <summary>The names of every cgroup under the parent, whoever made it (runs and pods of every server sharing the parent).</summary>
    public abstract IReadOnlyList<string> ListChildren();

    /// <summary>The child directory names of <paramref name="parents"/>, each once.</summary>
    private protected static IReadOnlyList<string> ChildNames(IEnumerable<string> parents) =>
        parents.Where(Directory.Exists)
            .SelectMany(p => Directory.EnumerateDirectories(p).Select(d => Path.GetFileName(d)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    internal static long QuotaMicros(double cores, int period) => Math.Max(1_000, (long)Math.Round(cores * period));

    /// <summary>
    /// Finds a writable cgroup hierarchy with the controllers a run needs: v2 when its unified hierarchy has memory, cpu
    /// and pids (a pure v2 host, or a hybrid one whose controllers were moved to v2), otherwise v1. Creates
    /// <paramref name="parent"/> and probes it by creating and removing a child. Returns no controller, with the reason,
    /// when neither works (not root, a read-only /sys/fs/cgroup in a container, missing controllers).
    /// </summary>
    public static CgroupDetection Detect(string parent, string? mountInfo = null) =>
        Detect(parent, mountInfo, CgroupFileSystem.Real);

    internal static CgroupDetection Detect(string parent, string? mountInfo, CgroupFileSystem fileSystem)
    {
        List<CgroupMount> mounts;
        try
        {
            mounts = CgroupMount.Parse(mountInfo ?? File.ReadAllText("/proc/self/mountinfo"));
        }
        catch (IOException ex)
        {
            return new CgroupDetection(null, $"cannot read mountinfo: {ex.Message}");
        }

        var reasons = new List<string>();
        var v2 = mounts.FirstOrDefault(m => m.IsV2);
        if (v2 is not null)
        {
            var available = ReadControllers(v2.MountPoint);
            var missing = V2Controllers.Except(available).ToArray();
            if (missing.Length == 0)
            {
                var directory = CgroupFiles.Combine(v2.MountPoint, parent);
                var error = Probe(() => CgroupV2Controller.EnableControllers(v2.MountPoint, directory, fileSystem), [directory], fileSystem, V2Controllers);
                if (error is null)
                {
                    return new CgroupDetection(new CgroupV2Controller(directory, fileSystem), null);
                }

                reasons.Add($"cgroup v2 at {v2.MountPoint}: {error}");
            }
            else
            {
                reasons.Add($"cgroup v2 at {v2.MountPoint} lacks {string.Join(", ", missing)}");
            }
        }

        var v1 = V1Controllers.ToDictionary(c => c, c => mounts.FirstOrDefault(m => !m.IsV2 && m.Controllers.Contains(c)));
        var absent = v1.Where(p => p.Value is null).Select(p => p.Key).ToArray();
        if (absent.Length == 0)
        {
            var directories = v1.ToDictionary(p => p.Key, p => CgroupFiles.Combine(p.Value!.MountPoint, parent));
            var error = Probe(() => { }, directories.Values.Distinct(StringComparer.Ordinal).ToArray(), fileSystem, []);
            if (error is null)
            {
                return new CgroupDetection(
                    new CgroupV1Controller(directories["memory"], directories["cpu"], directories["cpuacct"], directories["pids"]), null);
            }

            reasons.Add($"cgroup v1: {error}");
        }
        else if (mounts.Any(m => !m.IsV2))
        {
            reasons.Add($"cgroup v1 lacks {string.Join(", ", absent)}");
        }

        if (reasons.Count == 0)
        {
            reasons.Add("no cgroup filesystem is mounted");
        }

        return new CgroupDetection(null, string.Join("; ", reasons));
    }

    private static string[] ReadControllers(string directory)
    {
        var path = Path.Join(directory, "cgroup.controllers");
        return File.Exists(path) ? File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
    }

    private static string? Probe(Action prepare, string[] parents, CgroupFileSystem fileSystem, string[] childControllers)
    {
        var probe = "probe-" + Guid.NewGuid().ToString("N");
        try
        {
            foreach (var parent in parents)
            {
                fileSystem.CreateDirectory(parent);
            }

            prepare();
            foreach (var parent in parents)
            {
                var child = Path.Join(parent, probe);
                fileSystem.CreateDirectory(child);
                try
                {
                    // v2: a child gets a controller only where every ancestor enabled it; check it did, rather than
                    // find out at the first run (memory.max would be missing).
                    var missing = childControllers.Except(ReadControllers(child)).ToArray();
                    if (missing.Length > 0)
                    {
                        return $"a cgroup under {parent} does not get {string.Join(", ", missing)}";
                    }
                }
                finally
                {
                    fileSystem.DeleteDirectory(child);
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }
}

/// <summary>The cgroup controller to use, or null with the reason why runs get reduced isolation.</summary>
public sealed record CgroupDetection(CgroupController? Controller, string? Reason);
