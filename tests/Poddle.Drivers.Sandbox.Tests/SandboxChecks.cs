using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Poddle.Drivers.Sandbox.Tests;

/// <summary>
/// Classes that run real sandboxes share this collection: they run one at a time, so a test that looks for any
/// leftover run (a cgroup, a directory, a process of the sandbox uid) sees only its own, and timings are not skewed
/// by another class's bombs.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealSandbox
{
    public const string Name = "Real sandbox";
}

/// <summary>Assertions that nothing of a run survives it, and C programs compiled on the host for the sandbox.</summary>
internal static class SandboxChecks
{
    /// <summary>
    /// The host uid this project's sandboxes run as: not the default (65534), so runs of other test projects on the same
    /// machine at the same time (the server's execution tests) are never mistaken for leftovers of ours.
    /// </summary>
    public const int Uid = 64534;

    /// <summary>The cgroup parent of this project's runs (see <see cref="Uid"/>).</summary>
    public const string CgroupParent = "/poddle-sandbox-tests";

    /// <summary>The directory holding this project's run directories (see <see cref="Uid"/>); searchable by the sandbox uid.</summary>
    public static readonly string WorkRoot = CreateWorkRoot();

    /// <summary>
    /// Sandbox options of this test project: its own uid, cgroup parent, work root and runtime directory (the mount tables
    /// of the tests' many pod state directories go with the work root, not into the host's /run/poddle-sandbox).
    /// </summary>
    public static SandboxOptions Options(bool useCgroups = true) => new()
    {
        SandboxUid = Uid,
        SandboxGid = Uid,
        CgroupParent = CgroupParent,
        WorkRoot = WorkRoot,
        RuntimeDirectory = Path.Join(WorkRoot, "runtime"),
        UseCgroups = useCgroups,
    };

    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Compiled = new(StringComparer.Ordinal);

    /// <summary>Processes of the sandbox uid that existed before any test ran (none on CI); they are not ours.</summary>
    private static readonly HashSet<int> Foreign = [.. SandboxUidProcesses().Select(p => p.Pid)];

    /// <summary>The run's cgroups and directory are gone and no process is in its cgroup.</summary>
    public static void AssertNothingLeft(SandboxResult result)
    {
        foreach (var controller in new[] { "memory", "cpu", "cpuacct", "pids", "unified" })
        {
            Assert.False(Directory.Exists($"/sys/fs/cgroup/{controller}{CgroupParent}/run-{result.RunId}"), $"{controller} cgroup left");
        }

        Assert.False(Directory.Exists(Path.Join(WorkRoot, "poddle-run-" + result.RunId)), "run directory left");
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            var cgroup = TryRead(Path.Join(proc, "cgroup"));
            Assert.DoesNotContain("run-" + result.RunId, cgroup, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// No process of the sandbox's host uid (<see cref="Uid"/>) is alive: every sandbox of the test has ended, so any such process
    /// escaped its run (a daemon, a double fork, a survivor of a kill).
    /// </summary>
    /// <remarks>
    /// <paramref name="zombiesToo"/>: also fail on a zombie (a dead process not yet reaped). Runs that end normally
    /// leave none (bwrap is init of its own pid namespace). A run the host kills can, rarely, when the kill falls back
    /// to the started process (no init yet, or the escalation after 1 s): bwrap is then orphaned and reaped by the
    /// host's pid 1, lazily on this CI machine. That is a dead process, not an escape, so the bomb groups allow it.
    /// </remarks>
    public static void AssertNoSandboxProcesses(bool zombiesToo = false, IReadOnlySet<int>? before = null)
    {
        var left = SandboxUidProcesses()
            .Where(p => !Foreign.Contains(p.Pid) && before?.Contains(p.Pid) != true)
            .Where(p => zombiesToo || !p.Command.Contains("Z (zombie)", StringComparison.Ordinal))
            .ToList();
        Assert.True(left.Count == 0, "sandbox processes left: " + string.Join("; ", left.Select(p => $"{p.Pid} {p.Command}")));
    }

    /// <summary>The pids of the sandbox uid now (to tell a test's own leftovers from an earlier test's zombies).</summary>
    public static HashSet<int> SandboxPids() => [.. SandboxUidProcesses().Select(p => p.Pid)];

    /// <summary>Compiles a C program with the host's gcc (once per source) and returns it as an executable request file.</summary>
    public static SandboxFile CProgram(string name, string source, string extraFlags = "")
    {
        var bytes = Compiled.GetOrAdd(source + "\0" + extraFlags, _ => new Lazy<byte[]>(() => Compile(source, extraFlags))).Value;
        return new SandboxFile(name, bytes, Executable: true);
    }

    private static byte[] Compile(string source, string extraFlags)
    {
        var directory = Directory.CreateTempSubdirectory("poddle-cc-");
        try
        {
            var c = Path.Join(directory.FullName, "program.c");
            var binary = Path.Join(directory.FullName, "program");
            File.WriteAllText(c, source);
            var start = new ProcessStartInfo("gcc") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-O1", "-o", binary, c, "-lpthread" }.Concat(extraFlags.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            {
                start.ArgumentList.Add(arg);
            }

            using var gcc = Process.Start(start)!;
            var errors = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            Assert.True(gcc.ExitCode == 0, "gcc failed (scripts/test.sh installs gcc): " + errors);
            return File.ReadAllBytes(binary);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static List<(int Pid, string Command)> SandboxUidProcesses()
    {
        var found = new List<(int, string)>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var uid = TryRead(Path.Join(proc, "status")).Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            if (uid?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == Uid.ToString(CultureInfo.InvariantCulture))
            {
                var status = TryRead(Path.Join(proc, "status")).Split('\n');
                var state = status.FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal));
                var parent = status.FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
                found.Add((pid, $"{TryRead(Path.Join(proc, "cmdline")).Replace('\0', ' ')} [{state} {parent} {TryRead(Path.Join(proc, "comm")).Trim()}]"));
            }
        }

        return found;
    }

    private static string CreateWorkRoot()
    {
        var root = Directory.CreateTempSubdirectory("poddle-sandbox-tests-");
        File.SetUnixFileMode(root.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                root.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Best effort: temp space.
            }
        };
        return root.FullName;
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not a process, or one that exited while we looked.
            return string.Empty;
        }
    }
}
