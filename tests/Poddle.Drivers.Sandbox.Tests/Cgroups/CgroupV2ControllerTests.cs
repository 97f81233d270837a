using System.Diagnostics;
using Poddle.Drivers.Sandbox.Cgroups;

namespace Poddle.Drivers.Sandbox.Tests.Cgroups;

/// <summary>
/// The cgroup v2 logic against a fake tree of plain files in a temp directory: this CI machine is cgroup v1, so these
/// are the only tests of what the controller reads and writes on v2 (the kernel's side is simulated by
/// <see cref="FakeCgroupTree"/>: mkdir creates the control files, a child's cgroup.controllers is what its parent
/// enabled).
/// </summary>
public sealed class CgroupV2ControllerTests : IDisposable
{
    private static readonly SandboxLimits Limits = new() { MemoryMb = 64, CpuCores = 0.5, Pids = 20 };

    private readonly FakeCgroupTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Detect_UnifiedHierarchyWithControllers_PicksV2AndEnablesControllersDownToTheParent()
    {
        var detection = CgroupController.Detect("/services/poddle/sandbox", _tree.MountInfo, _tree);

        Assert.True(detection.Controller is not null, detection.Reason);
        Assert.Equal("v2", detection.Controller.Version);
        foreach (var cgroup in new[] { "", "services", "services/poddle", "services/poddle/sandbox" })
        {
            Assert.Equal("+memory +cpu +pids", _tree.Read(cgroup, "cgroup.subtree_control"));
        }

        Assert.Empty(Directory.EnumerateDirectories(_tree.Path("services/poddle/sandbox"))); // the probe is gone
    }

    [Fact]
    public void ListChildren_RunsAndPodsOfEveryServer_AllNamedOnce()
    {
        var controller = CgroupController.Detect("/poddle-sandbox", _tree.MountInfo, _tree).Controller!;
        controller.CreateRun("run-1.2-0123456789ab", Limits);
        controller.CreateRun("pod-01234567-sbx-0123456789ab", Limits);

        Assert.Equal(["pod-01234567-sbx-0123456789ab", "run-1.2-0123456789ab"], controller.ListChildren());
    }

    [Fact]
    public void Detect_RootLacksPids_FallsBackWithReason()
    {
        File.WriteAllText(_tree.Path("cgroup.controllers"), "cpu memory io\n");

        var detection = CgroupController.Detect("/poddle-sandbox", _tree.MountInfo, _tree);

        Assert.Null(detection.Controller);
        Assert.Contains($"cgroup v2 at {_tree.Root} lacks pids", detection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EnableControllers_SomeAlreadyEnabled_WritesOnlyTheMissingOnesInOneWrite()
    {
        File.WriteAllText(_tree.Path("cgroup.subtree_control"), "cpu io\n");

        CgroupV2Controller.EnableControllers(_tree.Root, _tree.Path("poddle-sandbox"), _tree);

        Assert.Equal("+memory +pids", _tree.Read("", "cgroup.subtree_control"));
        Assert.Equal("+memory +cpu +pids", _tree.Read("poddle-sandbox", "cgroup.subtree_control"));
    }

    [Fact]
    public void EnableControllers_AllEnabled_WritesNothing()
    {
        File.WriteAllText(_tree.Path("cgroup.subtree_control"), "cpu memory pids io\n");

        CgroupV2Controller.EnableControllers(_tree.Root, _tree.Root, _tree);

        Assert.Equal("cpu memory pids io", _tree.Read("", "cgroup.subtree_control"));
    }

    [Fact]
    public void EnableControllers_CgroupHoldsProcesses_ExplainsTheNoInternalProcessesRule()
    {
        _tree.CreateDirectory(_tree.Path("poddle.service"));
        File.WriteAllText(_tree.Path("poddle.service/cgroup.procs"), "4242\n");
        // The kernel answers EBUSY; a directory in place of the file makes the write fail here.
        File.Delete(_tree.Path("poddle.service/cgroup.subtree_control"));
        Directory.CreateDirectory(_tree.Path("poddle.service/cgroup.subtree_control"));

        var error = Assert.ThrowsAny<Exception>(() => CgroupV2Controller.EnableControllers(_tree.Root, _tree.Path("poddle.service"), _tree));

        Assert.Contains("no internal processes", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox:CgroupParent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRun_WritesLimits()
    {
        var run = Controller().CreateRun("run-1", Limits);

        Assert.Equal([_tree.Path("sandbox/run-1")], run.Directories);
        Assert.Equal([_tree.Path("sandbox/run-1/cgroup.procs")], run.ProcsFiles);
        Assert.Equal("67108864", _tree.Read("sandbox/run-1", "memory.max"));
        Assert.Equal("0", _tree.Read("sandbox/run-1", "memory.swap.max"));
        Assert.Equal("50000 100000", _tree.Read("sandbox/run-1", "cpu.max"));
        Assert.Equal("20", _tree.Read("sandbox/run-1", "pids.max"));
    }

    [Fact]
    public void CreateRun_NoSwapAccounting_SkipsSwapMax()
    {
        _tree.WithSwap = false;

        Controller().CreateRun("run-1", Limits);

        Assert.False(File.Exists(_tree.Path("sandbox/run-1/memory.swap.max")));
        Assert.Equal("67108864", _tree.Read("sandbox/run-1", "memory.max"));
    }

    [Fact]
    public void CreateRun_LimitFails_RemovesTheDirectory()
    {
        _tree.Break = "pids.max";

        Assert.ThrowsAny<Exception>(() => Controller().CreateRun("run-1", Limits));

        Assert.False(Directory.Exists(_tree.Path("sandbox/run-1")));
    }

    [Fact]
    public void Measurements_ReadFromCpuStatMemoryPeakAndMemoryEvents()
    {
        var run = Controller().CreateRun("run-1", Limits);
        File.WriteAllText(_tree.Path("sandbox/run-1/cpu.stat"), "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n");
        File.WriteAllText(_tree.Path("sandbox/run-1/memory.peak"), "5242880\n");
        File.WriteAllText(_tree.Path("sandbox/run-1/memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");

        Assert.Equal(1234.567, run.ReadCpuUsage().TotalMilliseconds, 3);
        Assert.Equal(5242880, run.ReadPeakMemoryBytes());
        Assert.Equal(1, run.ReadOomKills());
    }

    [Fact]
    public void ReadPeakMemory_NoMemoryPeak_HighestSampledMemoryCurrent()
    {
        _tree.WithPeak = false;
        var run = Controller().CreateRun("run-1", Limits);

        foreach (var current in new[] { "1000\n", "9000\n", "4000\n" })
        {
            File.WriteAllText(_tree.Path("sandbox/run-1/memory.current"), current);
            run.ReadCpuUsage(); // the runner's poll
        }

        Assert.Equal(9000, run.ReadPeakMemoryBytes());
    }

    [Fact]
    public void ReadPeakMemory_NoMemoryPeakAndOomKilled_AtLeastTheLimit()
    {
        _tree.WithPeak = false;
        var run = Controller().CreateRun("run-1", Limits);
        File.WriteAllText(_tree.Path("sandbox/run-1/memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");

        Assert.Equal(64L << 20, run.ReadPeakMemoryBytes());
    }

    [Fact]
    public void ReadOomKills_KernelWithoutOomKillKey_FallsBackToOom()
    {
        var run = Controller().CreateRun("run-1", Limits);
        File.WriteAllText(_tree.Path("sandbox/run-1/memory.events"), "low 0\nhigh 0\nmax 5\noom 2\n");

        Assert.Equal(2, run.ReadOomKills());
    }

    [Fact]
    public void IsEmpty_FollowsPopulatedOrCgroupProcs()
    {
        var run = Controller().CreateRun("run-1", Limits);
        Assert.True(run.IsEmpty());

        File.WriteAllText(_tree.Path("sandbox/run-1/cgroup.events"), "populated 1\nfrozen 0\n");
        Assert.False(run.IsEmpty());

        File.Delete(_tree.Path("sandbox/run-1/cgroup.events"));
        File.WriteAllText(_tree.Path("sandbox/run-1/cgroup.procs"), "4242\n");
        Assert.False(run.IsEmpty());
    }

    [Fact]
    public void SignalAll_WithCgroupKill_WritesOne()
    {
        var run = Controller().CreateRun("run-1", Limits);

        run.SignalAll();

        Assert.Equal("1", _tree.Read("sandbox/run-1", "cgroup.kill"));
    }

    [Fact]
    public async Task SignalAll_WithoutCgroupKill_KillsEachPidOfCgroupProcs()
    {
        _tree.WithKill = false;
        var run = Controller().CreateRun("run-1", Limits);
        using var sleeper = Process.Start("sleep", "30");
        File.WriteAllText(_tree.Path("sandbox/run-1/cgroup.procs"), $"{sleeper.Id}\n");

        run.SignalAll();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await sleeper.WaitForExitAsync(timeout.Token);
        Assert.Equal(137, sleeper.ExitCode);
    }

    [Fact]
    public async Task RemoveAsync_RemovesTheRunDirectory()
    {
        var run = Controller().CreateRun("run-1", Limits);

        await run.RemoveAsync();

        Assert.False(Directory.Exists(_tree.Path("sandbox/run-1")));
        Assert.True(Directory.Exists(_tree.Path("sandbox")));
    }

    private CgroupV2Controller Controller()
    {
        CgroupV2Controller.EnableControllers(_tree.Root, _tree.Path("sandbox"), _tree);
        return new CgroupV2Controller(_tree.Path("sandbox"), _tree);
    }

    /// <summary>A cgroup v2 hierarchy made of plain files: what the kernel creates on mkdir, with the optional files switchable.</summary>
    private sealed class FakeCgroupTree : CgroupFileSystem, IDisposable
    {
        private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("poddle-fake-cgroup2-");

        public FakeCgroupTree()
        {
            Populate(Root, "cpu memory pids io");
        }

        public string Root => _root.FullName;

        public string MountInfo => $"25 20 0:22 / {Root} rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

        public bool WithPeak { get; set; } = true;

        public bool WithKill { get; set; } = true;

        public bool WithSwap { get; set; } = true;

        /// <summary>A control file created as a directory, so writing it fails like a kernel refusal.</summary>
        public string? Break { get; set; }

        public string Path(string relative) => System.IO.Path.Join(Root, relative);

        public string Read(string cgroup, string file) => File.ReadAllText(System.IO.Path.Join(Path(cgroup), file)).Trim();

        public override void CreateDirectory(string path)
        {
            if (Directory.Exists(path))
            {
                return;
            }

            CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            Directory.CreateDirectory(path);
            // A child is offered what its parent enabled for its children.
            var enabled = File.ReadAllText(System.IO.Path.Join(System.IO.Path.GetDirectoryName(path), "cgroup.subtree_control"));
            Populate(path, string.Join(' ', enabled.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.TrimStart('+'))));
        }

        public override void DeleteDirectory(string path) => Directory.Delete(path, recursive: true);

        public void Dispose() => _root.Delete(recursive: true);

        private void Populate(string directory, string controllers)
        {
            var files = new Dictionary<string, string>
            {
                ["cgroup.controllers"] = controllers + "\n",
                ["cgroup.subtree_control"] = "\n",
                ["cgroup.procs"] = string.Empty,
                ["cgroup.events"] = "populated 0\nfrozen 0\n",
                ["memory.max"] = "max\n",
                ["memory.current"] = "0\n",
                ["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
                ["cpu.max"] = "max 100000\n",
                ["cpu.stat"] = "usage_usec 0\nuser_usec 0\nsystem_usec 0\n",
                ["pids.max"] = "max\n",
            };
            if (WithPeak)
            {
                files["memory.peak"] = "0\n";
            }

            if (WithKill)
            {
                files["cgroup.kill"] = string.Empty;
            }

            if (WithSwap)
            {
                files["memory.swap.max"] = "max\n";
            }

            foreach (var (name, content) in files)
            {
                if (name == Break)
                {
                    Directory.CreateDirectory(System.IO.Path.Join(directory, name));
                }
                else
                {
                    File.WriteAllText(System.IO.Path.Join(directory, name), content);
                }
            }
        }
    }
}
