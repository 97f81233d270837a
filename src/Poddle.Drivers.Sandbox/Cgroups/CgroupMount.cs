namespace Poddle.Drivers.Sandbox.Cgroups;

/// <summary>A cgroup filesystem from /proc/self/mountinfo: v1 ("cgroup", with its controllers) or v2 ("cgroup2").</summary>
internal sealed record CgroupMount(string MountPoint, bool IsV2, IReadOnlySet<string> Controllers)
{
    /// <summary>
    /// Parses mountinfo lines: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS".
    /// v1 controllers are the super options that name one (cpu, cpuacct, memory, pids ...).
    /// </summary>
    internal static List<CgroupMount> Parse(string mountInfo)
    {
        var mounts = new List<CgroupMount>();
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (separator < 5 || separator + 3 >= fields.Length)
            {
                continue;
            }

            var fsType = fields[separator + 1];
            var mountPoint = Unescape(fields[4]);
            if (fsType == "cgroup2")
            {
                mounts.Add(new CgroupMount(mountPoint, true, new HashSet<string>()));
            }
            else if (fsType == "cgroup")
            {
                var controllers = fields[separator + 3].Split(',').Where(o => o is not ("rw" or "ro") && !o.Contains('=')).ToHashSet();
                mounts.Add(new CgroupMount(mountPoint, false, controllers));
            }
        }

        return mounts;
    }

    // mountinfo escapes space, tab, newline and backslash as octal (\040 ...).
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
