using System.Globalization;

namespace Poddle.Drivers.Sandbox.Pods;

/// <summary>One line of /proc/PID/stat: what the pod driver needs to find, signal and measure a pod's processes.</summary>
internal sealed record ProcEntry(int Pid, int ParentPid, string Command, char State, long CpuTicks, long StartTicks, long RssPages)
{
    public bool IsZombie => State is 'Z' or 'X';
}

/// <summary>Reads the host's process table from /proc (the pods are not the server's children, so this is how it sees them).</summary>
internal static class ProcTable
{
    /// <summary>Clock ticks per second of /proc times (USER_HZ, 100 on every Linux architecture .NET runs on).</summary>
    public const long TicksPerSecond = 100;

    public static ProcEntry? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 22)
        {
            return null;
        }

        return new ProcEntry(
            pid,
            ParseInt(fields[1]),
            text[(open + 1)..close],
            fields[0].Length > 0 ? fields[0][0] : '?',
            ParseLong(fields[11]) + ParseLong(fields[12]),
            ParseLong(fields[19]),
            ParseLong(fields[21]));
    }

    /// <summary>True when <paramref name="pid"/> is alive (not a zombie) and is the process that started at <paramref name="startTicks"/> (not a reused pid).</summary>
    public static bool IsAlive(int pid, long startTicks) =>
        pid > 0 && Read(pid) is { IsZombie: false } entry && entry.StartTicks == startTicks;

    /// <summary>Every living descendant of <paramref name="root"/> (not the root itself).</summary>
    public static List<ProcEntry> Descendants(int root)
    {
        var byParent = new Dictionary<int, List<ProcEntry>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Read(pid) is not { } entry)
            {
                continue;
            }

            if (!byParent.TryGetValue(entry.ParentPid, out var children))
            {
                byParent[entry.ParentPid] = children = [];
            }

            children.Add(entry);
        }

        var found = new List<ProcEntry>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            foreach (var child in byParent.GetValueOrDefault(queue.Dequeue()) ?? [])
            {
                if (!child.IsZombie)
                {
                    found.Add(child);
                }

                queue.Enqueue(child.Pid);
            }
        }

        return found;
    }

    private static int ParseInt(string value) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;

    private static long ParseLong(string value) => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
}
