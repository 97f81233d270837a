using System.Globalization;

namespace Poddle.Agent.Health;

/// <summary>
/// Finds this process's cgroup directories under a cgroup root (v2 unified, or v1 per controller) from
/// <c>/proc/self/cgroup</c>. Inside a container with a cgroup namespace the path is "/" and the container's own
/// cgroup is mounted at the root; on a host the path names a directory below it. Either way the directory that
/// exists is used, the deepest first.
/// </summary>
public sealed class Cgroups
{
    private readonly string _procRoot;
    private readonly string _cgroupRoot;

    public Cgroups(string procRoot, string cgroupRoot)
    {
        _procRoot = procRoot;
        _cgroupRoot = cgroupRoot;
    }

    /// <summary>True when the root is the unified (v2) hierarchy.</summary>
    public bool IsV2 => File.Exists(Path.Combine(_cgroupRoot, "cgroup.controllers"));

    /// <summary>The v2 directory of this process, or null when the root is not v2.</summary>
    public string? V2Directory() => IsV2 ? Resolve(_cgroupRoot, PathOf(line => line.StartsWith("0::", StringComparison.Ordinal))) : null;

    /// <summary>The v1 directory of <paramref name="controller"/> ("memory", "cpu", "cpuacct"), or null when not mounted.</summary>
    public string? V1Directory(string controller)
    {
        if (IsV2)
        {
            return null;
        }

        // cpu and cpuacct are often co-mounted as "cpu,cpuacct" (with "cpu" and "cpuacct" as symlinks to it).
        foreach (var mount in new[] { controller, "cpu,cpuacct", "cpuacct,cpu" })
        {
            if (!mount.Split(',').Contains(controller, StringComparer.Ordinal))
            {
                continue;
            }

            var mountRoot = Path.Combine(_cgroupRoot, mount);
            if (Directory.Exists(mountRoot))
            {
                return Resolve(mountRoot, PathOf(line => line.Split(':') is [_, var controllers, _] && controllers.Split(',').Contains(controller, StringComparer.Ordinal)));
            }
        }

        return null;
    }

    /// <summary>A file's trimmed text, or null when it cannot be read.</summary>
    public static string? ReadText(string? directory, string name)
    {
        if (directory is null)
        {
            return null;
        }

        try
        {
            return File.ReadAllText(Path.Combine(directory, name)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A file holding one integer, or null ("max" or unreadable).</summary>
    public static long? ReadLong(string? directory, string name) =>
        long.TryParse(ReadText(directory, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A "key value" line of a stat file (memory.stat, cpu.stat), or null.</summary>
    public static long? ReadStat(string? directory, string file, string key)
    {
        var text = ReadText(directory, file);
        if (text is null)
        {
            return null;
        }

        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private string? PathOf(Func<string, bool> match)
    {
        var text = ReadText(Path.Combine(_procRoot, "self"), "cgroup");
        var line = text?.Split('\n').FirstOrDefault(match);
        return line is null ? null : line[(line.LastIndexOf(':') + 1)..];
    }

    private static string Resolve(string mountRoot, string? relative)
    {
        if (!string.IsNullOrEmpty(relative) && relative != "/")
        {
            var nested = Path.Combine(mountRoot, relative.TrimStart('/'));
            if (Directory.Exists(nested))
            {
                return nested;
            }
        }

        return mountRoot;
    }
}
