using Poddle.Drivers.Sandbox.Isolation;

namespace Poddle.Drivers.Sandbox.Tests.Isolation;

/// <summary>
/// The one command line of every sandbox: a code run and a pod differ only in what their launches say. (What the
/// command line does is tested for real by the hostile, runner and pod tests; these pin its shape.)
/// </summary>
public sealed class SandboxCommandBuilderTests
{
    private static readonly SandboxOptions Options = SandboxChecks.Options();

    private static SandboxLaunch Launch(SandboxNetwork network, bool tmpExecutable = false) => new()
    {
        Name = "poddle-test",
        Command = ["python3", "main.py"],
        WorkDirectory = new SandboxWorkDirectory("/srv/work root", "poddle-run-x", "/box", Writable: false),
        Network = network,
        Hostname = "sandbox",
        TmpfsMb = 50,
        TmpExecutable = tmpExecutable,
        ReadOnlyBinds = [new SandboxBindMount("/usr/share", "/opt/toolchain")],
        FileSizeBytes = 1024,
        OpenFiles = 64,
    };

    [Fact]
    public void Build_AsRoot_DiesWithItsParentStagesItsMountsAndLoadsTheSeccompFilter()
    {
        var builder = Builder(root: true);

        var argv = builder.Build(Launch(SandboxNetwork.None));

        Assert.Equal(["/usr/bin/setpriv", "--pdeathsig", "KILL", "/usr/bin/unshare", "--pid", "--fork", "--kill-child", "--mount", "--propagation", "private", "/bin/sh", "-c"], argv.Take(12));
        var script = argv[12];
        Assert.Contains("/usr/bin/mount -a -T '" + builder.Runtime.Path + "/mounts-", script, StringComparison.Ordinal);
        Assert.EndsWith("4<'" + builder.Runtime.SeccompFilterPath + "' exec \"$@\"", script, StringComparison.Ordinal);
        Assert.Equal(["--seccomp", "4"], Around(argv, "--seccomp", 0, 1));
        Assert.Equal(["--bind", builder.Runtime.StagingPath + "/tmp", "/tmp"], Around(argv, builder.Runtime.StagingPath + "/tmp", 1, 1));
        Assert.Equal(["--ro-bind", builder.Runtime.StagingPath + "/work/poddle-run-x", "/box"], Around(argv, builder.Runtime.StagingPath + "/work/poddle-run-x", 1, 1));
        Assert.Equal(["--ro-bind", builder.Runtime.StagingPath + "/ro/0", "/opt/toolchain"], Around(argv, builder.Runtime.StagingPath + "/ro/0", 1, 1));
        Assert.DoesNotContain("--share-net", argv);
        Assert.DoesNotContain("--tmpfs", argv);
        Assert.Equal(["python3", "main.py"], argv.TakeLast(2));
    }

    [Fact]
    public void MountTable_CodeRunTmpIsNoexecPodTmpIsNotAndPathsAreEscaped()
    {
        var builder = Builder(root: true);

        var run = builder.MountTable(Launch(SandboxNetwork.None));
        var pod = builder.MountTable(Launch(SandboxNetwork.Host, tmpExecutable: true));

        var tmp = run.Split('\n').Single(l => l.StartsWith("poddle-tmp ", StringComparison.Ordinal));
        Assert.Contains("size=52428800,", tmp, StringComparison.Ordinal);
        Assert.EndsWith("nosuid,nodev,noexec 0 0", tmp, StringComparison.Ordinal);
        Assert.EndsWith("nosuid,nodev 0 0", pod.Split('\n').Single(l => l.StartsWith("poddle-tmp ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(@"/srv/work\040root " + builder.Runtime.StagingPath + "/work none X-mount.mkdir=0755,bind 0 0", run, StringComparison.Ordinal);
        Assert.Equal(builder.Runtime.MountTable(run), builder.Runtime.MountTable(run)); // one file per content
        Assert.Equal(run, File.ReadAllText(builder.Runtime.MountTable(run)));
    }

    [Fact]
    public void Build_Network_NoneHostOrANamespaceEnteredFirst()
    {
        var builder = Builder(root: true);

        var none = builder.Build(Launch(SandboxNetwork.None));
        var host = builder.Build(Launch(SandboxNetwork.Host));
        var netns = builder.Build(Launch(SandboxNetwork.Namespace("/run/netns/pod-1")));

        Assert.DoesNotContain("--share-net", none);
        Assert.Contains("--share-net", host);
        Assert.Equal(["/usr/bin/nsenter", "--net=/run/netns/pod-1", "/usr/bin/setpriv"], netns.Take(3));
        Assert.Contains("--share-net", netns);
        Assert.Throws<ArgumentException>(() => SandboxNetwork.Namespace("relative/path"));
    }

    [Fact]
    public void Build_WithoutRoot_NoPrivateMountNamespaceBwrapsOwnTmpfsAndDirectBinds()
    {
        var builder = Builder(root: false);

        var argv = builder.Build(Launch(SandboxNetwork.None) with { CpuSeconds = 2, AddressSpaceBytes = 4096 });

        Assert.Equal(["/usr/bin/setpriv", "--pdeathsig", "KILL", "/bin/sh", "-c"], argv.Take(5));
        Assert.DoesNotContain("mount -a", argv[5], StringComparison.Ordinal);
        Assert.DoesNotContain("/usr/bin/unshare", argv);
        Assert.Contains("--cpu=2:3", argv);
        Assert.Contains("--as=4096", argv);
        Assert.Equal(["--size", "52428800", "--tmpfs", "/tmp"], Around(argv, "--size", 0, 3));
        Assert.Equal(["--ro-bind", "/srv/work root/poddle-run-x", "/box"], Around(argv, "/srv/work root/poddle-run-x", 1, 1));
        Assert.Equal(["--seccomp", "4"], Around(argv, "--seccomp", 0, 1));
    }

    private static SandboxCommandBuilder Builder(bool root) =>
        new(Options, SandboxRuntimeDirectory.Prepare(Options, Environment.IsPrivilegedProcess), root);

    /// <summary>The arguments from <paramref name="before"/> places before the first <paramref name="value"/> to <paramref name="after"/> places after it.</summary>
    private static string[] Around(IReadOnlyList<string> argv, string value, int before, int after)
    {
        var index = argv.ToList().IndexOf(value);
        Assert.True(index >= 0, $"'{value}' is not in the command line");
        return argv.Skip(index - before).Take(before + 1 + after).ToArray();
    }
}
