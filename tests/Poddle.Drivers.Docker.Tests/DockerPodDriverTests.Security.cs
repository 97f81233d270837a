using Docker.DotNet.Models;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>The design's container rules, seen in the container the engine made and from inside it.</summary>
public sealed partial class DockerPodDriverTests
{
    [Fact]
    public async Task Start_ReadOnlyRootFilesystem_RootRefusesWritesTmpIsWritable()
    {
        var driver = await DriverAsync();
        var spec = Spec("if touch /written 2>/dev/null; then echo root-writable; else echo root-read-only; fi; echo hi > /tmp/t && cat /tmp/t && echo tmp-writable")
            with { Security = new PodSecurity(ReadOnlyRootFilesystem: true) };

        var handle = await StartAsync(driver, spec);
        var output = await OutputAsync(driver, handle);
        var host = (await Engine.Containers.InspectContainerAsync(handle.PodId)).HostConfig!;

        Assert.Equal(["root-read-only", "hi", "tmp-writable"], output);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal("rw,nosuid,nodev,size=64m,mode=1777", host.Tmpfs!["/tmp"]);
    }

    [Fact]
    public async Task Start_User_ProcessRunsAsThatUidAndGid()
    {
        var driver = await DriverAsync();
        var spec = Spec("id -u; id -g") with { Security = new PodSecurity(User: "65534:65534") };

        var handle = await StartAsync(driver, spec);
        var output = await OutputAsync(driver, handle);

        Assert.Equal(["65534", "65534"], output);
        Assert.Equal("65534:65534", (await Engine.Containers.InspectContainerAsync(handle.PodId)).Config!.User);
    }

    [Fact]
    public async Task Start_NoCapabilities_RootCannotChownUntilTheCapabilityIsAdded()
    {
        // Root in the container without CAP_CHOWN cannot give a file away; no-new-privileges shows in /proc.
        var driver = await DriverAsync();
        const string Script = "touch /tmp/f; if chown 65534 /tmp/f 2>/dev/null; then echo chowned; else echo denied; fi; grep NoNewPrivs /proc/self/status";

        var without = await OutputAsync(driver, await StartAsync(driver, Spec(Script)));
        var withCap = await StartAsync(driver, Spec(Script) with { Security = new PodSecurity(AddCapabilities: ["CHOWN"]) });
        var with = await OutputAsync(driver, withCap);

        Assert.Equal("denied", without[0]);
        Assert.Matches(@"^NoNewPrivs:\s+1$", without[1]);
        Assert.Equal("chowned", with[0]);
        Assert.Equal(["CHOWN"], (await Engine.Containers.InspectContainerAsync(withCap.PodId)).HostConfig!.CapAdd);
    }

    [Fact]
    public async Task Start_PidsLimit_ForkBombIsStoppedAtTheLimit()
    {
        var options = DockerTestEngine.Options();
        options.PidsLimit = 20;
        var driver = await DriverAsync(options);

        // A subshell forks 40 sleepers and dies at the first fork the pids cgroup refuses; the pod's shell lives on and
        // counts the processes with builtins only (/proc entries): never more than the limit, init and shell included.
        const string Script = "( i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done ); n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo procs $n";
        var handle = await StartAsync(driver, Spec(Script));
        var output = await OutputAsync(driver, handle);

        Assert.Equal(20, (await Engine.Containers.InspectContainerAsync(handle.PodId)).HostConfig!.PidsLimit);
        Assert.Contains(output, l => l.Contains("can't fork", StringComparison.Ordinal));
        var procs = int.Parse(output.Single(l => l.StartsWith("procs ", StringComparison.Ordinal))[6..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(procs, 3, 20);
    }

    [Theory]
    [InlineData(null, "image poddle-test/busybox:latest runs as root (it sets no USER)")]
    [InlineData("0:0", "the user '0:0' is root")]
    [InlineData("root", "the user 'root' is root")]
    [InlineData("ghost", "the user 'ghost' is not in the image's /etc/passwd")]
    public async Task Start_RunAsNonRoot_RootUserIsRefusedWithTheReasonAndNothingLeft(string? user, string reason)
    {
        var driver = await DriverAsync();

        var error = await StartFailsAsync(driver, Spec("exit 0") with { Security = new PodSecurity(RunAsNonRoot: true, User: user) });

        Assert.Equal(PodFailureKind.UnsupportedSpec, error.Kind);
        Assert.StartsWith("runAsNonRoot: " + reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("security.user", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Engine.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{PodLabels.Id}={_runId}"] = true } },
        }));
    }

    [Theory]
    [InlineData("65534", "65534")]
    [InlineData("nobody", "65534")]
    public async Task Start_RunAsNonRoot_NonRootUserRuns(string user, string uid)
    {
        // "nobody" is looked up in the image's /etc/passwd (65534) before the container starts.
        var driver = await DriverAsync();

        var handle = await StartAsync(driver, Spec("id -u") with { Security = new PodSecurity(RunAsNonRoot: true, User: user) });

        Assert.Equal([uid], await OutputAsync(driver, handle));
    }

    [Fact]
    public async Task Start_CapabilityOutsideTheAllowList_UnsupportedSpecBeforeAnythingIsMade()
    {
        var driver = await DriverAsync();

        var error = await StartFailsAsync(driver, Spec("exit 0") with { Security = new PodSecurity(AddCapabilities: ["SYS_ADMIN"]) });

        Assert.Equal(PodFailureKind.UnsupportedSpec, error.Kind);
        Assert.Contains("'SYS_ADMIN' cannot be given", error.Message, StringComparison.Ordinal);
        Assert.Empty(await ListAsync(driver));
    }

    [Theory]
    [InlineData("app", "root", false, false, "app")]
    [InlineData(null, "", true, true, null)]
    [InlineData(null, null, true, true, null)]
    [InlineData("1000:1000", "root", false, false, null)]
    [InlineData(null, "0", true, true, null)]
    [InlineData(null, "nginx:nginx", true, false, "nginx")]
    public void UserOf_SpecThenImageThenRoot(string? specUser, string? imageUser, bool fromImage, bool isRoot, string? name)
    {
        var user = DockerPodDriver.UserOf("img", specUser, imageUser);

        Assert.Equal((fromImage, isRoot, name), (user.FromImage, user.IsRoot, user.Name));
    }

    [Fact]
    public void UidInPasswd_FindsTheNamedUser()
    {
        const string Passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\r\nbad:x:zz:0::/:/bin/sh\n";

        Assert.Equal(65534u, DockerPodDriver.UidInPasswd(Passwd, "nobody"));
        Assert.Equal(0u, DockerPodDriver.UidInPasswd(Passwd, "root"));
        Assert.Null(DockerPodDriver.UidInPasswd(Passwd, "bad"));
        Assert.Null(DockerPodDriver.UidInPasswd(Passwd, "ghost"));
    }

    /// <summary>Waits for the pod to exit and returns its output's lines.</summary>
    private static async Task<string[]> OutputAsync(DockerPodDriver driver, PodHandle handle)
    {
        await driver.WaitAsync(handle, Timeout(60));
        return [.. (await ReadLogsAsync(driver, handle, new PodLogQuery())).Select(l => l.Text)];
    }
}
