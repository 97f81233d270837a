using Poddle.Drivers.Sandbox.Cgroups;

namespace Poddle.Drivers.Sandbox.Tests.Cgroups;

public sealed class CgroupMountTests
{
    [Fact]
    public void Parse_HybridHierarchy_FindsV1ControllersAndUnified()
    {
        const string MountInfo = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
            """;

        var mounts = CgroupMount.Parse(MountInfo);

        Assert.Equal(5, mounts.Count);
        var cpu = Assert.Single(mounts, m => m.Controllers.Contains("cpuacct"));
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", cpu.MountPoint);
        Assert.Contains("cpu", cpu.Controllers);
        Assert.DoesNotContain(mounts.Single(m => m.MountPoint.EndsWith("systemd", StringComparison.Ordinal)).Controllers, c => c.Contains('=', StringComparison.Ordinal));
        Assert.True(Assert.Single(mounts, m => m.IsV2).MountPoint == "/sys/fs/cgroup/unified");
    }

    [Fact]
    public void Parse_PureV2_OneUnifiedMount()
    {
        var mounts = CgroupMount.Parse("25 20 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");

        var mount = Assert.Single(mounts);
        Assert.True(mount.IsV2);
        Assert.Equal("/sys/fs/cgroup", mount.MountPoint);
    }

    [Fact]
    public void Detect_NoCgroupMounted_ReportsReason()
    {
        var detection = CgroupController.Detect("/poddle-sandbox", "22 1 0:20 / /proc rw - proc proc rw\n");

        Assert.Null(detection.Controller);
        Assert.Equal("no cgroup filesystem is mounted", detection.Reason);
    }

    [Fact]
    public void Detect_V1MissingPids_ReportsMissingController()
    {
        var detection = CgroupController.Detect("/poddle-sandbox", "35 31 0:32 / /nonexistent/memory rw - cgroup cgroup rw,memory\n");

        Assert.Null(detection.Controller);
        Assert.Contains("lacks cpu, cpuacct, pids", detection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotaMicros_HalfACore_HalfThePeriod()
    {
        Assert.Equal(50_000, CgroupController.QuotaMicros(0.5, 100_000));
        Assert.Equal(1_000, CgroupController.QuotaMicros(0.001, 100_000));
    }
}
