namespace Poddle.Agent.Tests.Health;

/// <summary>A temp directory standing for /proc or /sys/fs/cgroup, with the files a test writes into it.</summary>
public sealed class TempTree : IDisposable
{
    public TempTree(string prefix = "poddle-tree-")
    {
        Root = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Root { get; }

    /// <summary>Writes <paramref name="content"/> to <paramref name="relative"/> (directories created).</summary>
    public TempTree Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    /// <summary>/proc/meminfo with the given totals in kB.</summary>
    public TempTree Meminfo(long totalKb, long availableKb) =>
        Write("meminfo", $"MemTotal:       {totalKb} kB\nMemFree:         1000 kB\nMemAvailable:   {availableKb} kB\nBuffers:           0 kB\nCached:            0 kB\n");

    /// <summary>/proc/stat's aggregate line (user nice system idle iowait irq softirq steal) and two per-CPU lines.</summary>
    public TempTree Stat(long user, long system, long idle, long iowait = 0) =>
        Write("stat", $"cpu  {user} 0 {system} {idle} {iowait} 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\nintr 0\n");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
