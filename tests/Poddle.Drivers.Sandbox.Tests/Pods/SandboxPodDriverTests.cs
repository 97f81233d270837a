using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Sandbox.Pods;
using Poddle.Drivers.Sandbox.Tests.Isolation;

namespace Poddle.Drivers.Sandbox.Tests.Pods;

/// <summary>What the sandbox pod driver does beyond the compliance suite: detachment, egress, the filesystem, limits, secrets.</summary>
[Collection(RealSandbox.Name)]
public sealed class SandboxPodDriverTests : IAsyncLifetime
{
    private readonly string _stateDirectory = PodTestDrivers.NewStateDirectory();
    private readonly List<(SandboxPodDriver Driver, PodHandle Handle)> _started = [];
    private readonly string _runId = Guid.NewGuid().ToString("N")[..12];
    private SandboxPodDriver _driver = null!;

    public Task InitializeAsync()
    {
        _driver = PodTestDrivers.Create(_stateDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var (driver, handle) in _started)
        {
            await driver.DestroyAsync(handle, CancellationToken.None);
        }
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Pod_DriverDisposed_KeepsRunningDetachedAndANewDriverRecoversIt()
    {
        var handle = await StartAsync(_driver, "exec python3 -m http.server $PORT --bind 127.0.0.1", port: 8080);
        var endpoint = await WaitForHttpAsync(_driver, handle);
        var state = JsonDocument.Parse(handle.DriverState).RootElement;
        var supervisor = state.GetProperty("pid").GetInt32();

        await _driver.DisposeAsync();

        // Not the server's child and not in its session: nothing ties the pod to the server process's life.
        var stat = File.ReadAllText($"/proc/{supervisor}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.NotEqual(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), fields[1]);
        Assert.Equal(supervisor.ToString(CultureInfo.InvariantCulture), fields[3]); // its own session
        var restarted = PodTestDrivers.Create(_stateDirectory);
        var listed = Assert.Single(await ListAsync(restarted));
        await restarted.RecoverAsync(listed, CancellationToken.None);
        var status = await restarted.InspectAsync(listed, CancellationToken.None);
        Assert.Equal(PodState.Running, status.State);
        Assert.Equal(endpoint, status.Endpoint);
        Assert.Equal(handle.PodId, listed.PodId);
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://{status.Endpoint}/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _started.Clear();
        _started.Add((restarted, listed));
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Pod_SupervisorKilled_AppDiesWithItAndThePodReadsLost()
    {
        var handle = await StartAsync(_driver, "echo ready; sleep 600");
        await WaitForLogAsync(handle, "ready");
        var state = JsonDocument.Parse(handle.DriverState).RootElement;
        var procs = $"/sys/fs/cgroup/pids{SandboxChecks.CgroupParent}/{state.GetProperty("cgroup").GetString()}/cgroup.procs";
        Assert.NotEmpty((await File.ReadAllTextAsync(procs)).Trim());

        Process.GetProcessById(state.GetProperty("pid").GetInt32()).Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var exit = await _driver.WaitAsync(handle, timeout.Token);

        Assert.Equal(-1, exit.ExitCode);
        Assert.Contains("lost", exit.Reason, StringComparison.Ordinal);
        // The parent-death signal took the app down with its supervisor: nothing runs unsupervised.
        var clock = Stopwatch.StartNew();
        while ((await File.ReadAllTextAsync(procs)).Trim().Length > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the app outlived its supervisor");
            await Task.Delay(20);
        }
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Pod_HostNetworkMode_SharesTheHostsLoopback()
    {
        // The opt-out (Sandbox:Pods:Network=Host): no namespace of its own, so the host's 127.0.0.1 is the pod's.
        var hostNetwork = PodTestDrivers.Create(_stateDirectory, network: SandboxPodNetworkMode.Host);
        Assert.False(hostNetwork.Capabilities.NetworkIsolation);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepting = listener.AcceptTcpClientAsync();

        var handle = await StartAsync(
            hostNetwork, $"python3 -c \"import socket; s = socket.create_connection(('127.0.0.1', {port})); s.sendall(b'hello-from-pod'); s.close()\"");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var client = await accepting.WaitAsync(timeout.Token);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        Assert.Equal("hello-from-pod", await reader.ReadToEndAsync(timeout.Token));
        Assert.Equal(0, (await hostNetwork.WaitAsync(handle, timeout.Token)).ExitCode);
    }

    [Fact]
    public async Task Start_ImageSpec_IsUnsupported()
    {
        var spec = new PodSpec("web", Labels(), "busybox:latest", null, null, new Dictionary<string, string>(), 8080, new PodResources(500, 64));

        var error = await Assert.ThrowsAsync<PodDriverException>(() => _driver.StartAsync(spec, CancellationToken.None));

        Assert.Equal(PodFailureKind.UnsupportedSpec, error.Kind);
        Assert.Empty(await ListAsync(_driver));
    }

    [Fact]
    public async Task Start_GpuOrOtherHardware_IsUnsupportedNamingTheFieldAndTheCapabilitiesSaySo()
    {
        var spec = new PodSpec("web", Labels(), null, ["true"], null, new Dictionary<string, string>(), null, new PodResources(500, 64));

        var gpu = await Assert.ThrowsAsync<PodDriverException>(() => _driver.StartAsync(spec with { Gpu = new PodGpu(1) }, CancellationToken.None));
        var volume = await Assert.ThrowsAsync<PodDriverException>(() => _driver.StartAsync(spec with { Storage = new PodStorage(VolumeGb: 5) }, CancellationToken.None));

        Assert.Equal(PodFailureKind.UnsupportedSpec, gpu.Kind);
        Assert.Contains("gpu.count", gpu.Message, StringComparison.Ordinal);
        Assert.Contains("storage.volumeGb", volume.Message, StringComparison.Ordinal);
        Assert.False(_driver.Capabilities.Gpu);
        Assert.Equal(PodHardwareFeatures.None, _driver.Capabilities.Hardware);
    }

    [Theory]
    [InlineData("1000", null)]
    [InlineData(null, "NET_BIND_SERVICE")]
    public async Task Start_ChosenUserOrAddedCapability_IsUnsupportedAndTheCapabilitiesSaySo(string? user, string? capability)
    {
        // Every sandbox pod runs as the sandbox's own uid without capabilities: it cannot honour either.
        var spec = new PodSpec("web", Labels(), null, ["true"], null, new Dictionary<string, string>(), null, new PodResources(500, 64))
        {
            Security = new PodSecurity(User: user, AddCapabilities: capability is null ? null : [capability]),
        };

        var error = await Assert.ThrowsAsync<PodDriverException>(() => _driver.StartAsync(spec, CancellationToken.None));

        Assert.Equal(PodFailureKind.UnsupportedSpec, error.Kind);
        Assert.Contains("docker driver", error.Message, StringComparison.Ordinal);
        Assert.Equal(PodSecurityFeatures.ReadOnlyRootFilesystem | PodSecurityFeatures.RunAsNonRoot, _driver.Capabilities.Security);
        Assert.False(_driver.Capabilities.Exec);
        Assert.Empty(await ListAsync(_driver));
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Start_SourceDirectory_IsAWritableCopyAsWorkingDirectory()
    {
        var source = Directory.CreateTempSubdirectory("poddle-pod-source-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Join(source, "hello.txt"), "original\n");
            Directory.CreateDirectory(Path.Join(source, "static"));
            await File.WriteAllTextAsync(Path.Join(source, "static", "index.html"), "<p>hi</p>\n");

            var handle = await StartAsync(
                _driver, "pwd; cat hello.txt; cat static/index.html; echo changed > hello.txt; cat hello.txt; echo new > created.txt && echo created", source: source);
            var exit = await _driver.WaitAsync(handle, CancellationToken.None);

            var lines = await LogsAsync(handle);
            Assert.Equal(0, exit.ExitCode);
            Assert.Equal(["/app", "original", "<p>hi</p>", "changed", "created"], lines);
            Assert.Equal("original\n", await File.ReadAllTextAsync(Path.Join(source, "hello.txt")));
            Assert.False(File.Exists(Path.Join(source, "created.txt")));
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Start_HostFiles_AreReadOnlyAndSecretsOfTheHostInvisible()
    {
        var handle = await StartAsync(
            _driver,
            "(echo x > /etc/poddle-pod-test) 2>/dev/null && echo wrote-etc || echo denied-etc; " +
            "(echo x > /usr/poddle-pod-test) 2>/dev/null && echo wrote-usr || echo denied-usr; " +
            "test -e /etc/shadow && echo shadow-visible || echo no-shadow; " +
            "test -e /root && echo root-visible || echo no-root; " +
            "echo x > /tmp/scratch && echo tmp-writable; id -u; echo fds $(ls /proc/self/fd)");

        await _driver.WaitAsync(handle, CancellationToken.None);

        var lines = await LogsAsync(handle);
        // The last line: ls sees only stdin, stdout, stderr and its own directory handle, nothing the server inherited.
        Assert.Equal(["denied-etc", "denied-usr", "no-shadow", "no-root", "tmp-writable", SandboxChecks.Uid.ToString(CultureInfo.InvariantCulture), "fds 0 1 2 3"], lines);
        Assert.False(File.Exists("/etc/poddle-pod-test"));
        Assert.False(File.Exists("/usr/poddle-pod-test"));
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Start_Resources_AreWrittenToThePodsCgroupWhichDestroyRemoves()
    {
        var handle = await StartAsync(_driver, "sleep 60", resources: new PodResources(250, 96));
        var cgroup = JsonDocument.Parse(handle.DriverState).RootElement.GetProperty("cgroup").GetString();
        Assert.NotNull(cgroup);
        var cpu = $"/sys/fs/cgroup/cpu{SandboxChecks.CgroupParent}/{cgroup}";
        var memory = $"/sys/fs/cgroup/memory{SandboxChecks.CgroupParent}/{cgroup}";

        Assert.Equal("25000", (await File.ReadAllTextAsync(Path.Join(cpu, "cpu.cfs_quota_us"))).Trim());
        Assert.Equal("100000", (await File.ReadAllTextAsync(Path.Join(cpu, "cpu.cfs_period_us"))).Trim());
        Assert.Equal((96L * 1024 * 1024).ToString(CultureInfo.InvariantCulture), (await File.ReadAllTextAsync(Path.Join(memory, "memory.limit_in_bytes"))).Trim());
        // The pod's wrapper joins the cgroup a moment after StartAsync returns.
        var clock = Stopwatch.StartNew();
        while ((await File.ReadAllTextAsync(Path.Join(memory, "cgroup.procs"))).Trim().Length == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "no process joined the pod's cgroup");
            await Task.Delay(20);
        }

        await _driver.DestroyAsync(handle, CancellationToken.None);

        Assert.False(Directory.Exists(cpu));
        Assert.False(Directory.Exists(memory));
        Assert.False(Directory.Exists(_driver.PodDirectory(handle.PodId)));
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Start_EnvSecret_NeverOnACommandLineNorOnDisk()
    {
        var secret = "s3cret-" + Guid.NewGuid().ToString("N");
        var handle = await StartAsync(
            _driver, "test \"$API_TOKEN\" = \"$EXPECTED\" && echo token-ok; sleep 60",
            env: new Dictionary<string, string> { ["API_TOKEN"] = secret, ["EXPECTED"] = secret });
        await WaitForLogAsync(handle, "token-ok");

        foreach (var cmdline in Directory.EnumerateDirectories("/proc").Select(p => Path.Join(p, "cmdline")))
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(cmdline);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        foreach (var file in Directory.EnumerateFiles(_driver.PodDirectory(handle.PodId)))
        {
            Assert.DoesNotContain(secret, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(secret, handle.DriverState, StringComparison.Ordinal);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Start_Seccomp_EachDeniedSystemCallRefusedInThePod()
    {
        var source = Directory.CreateTempSubdirectory("poddle-pod-probe-").FullName;
        try
        {
            var probe = SandboxChecks.CProgram("probe", SyscallProbe.Source);
            await File.WriteAllBytesAsync(Path.Join(source, "probe"), probe.Content.ToArray());
            File.SetUnixFileMode(Path.Join(source, "probe"), (UnixFileMode)0b111_101_101);

            var handle = await StartAsync(_driver, "./probe", source: source);
            var exit = await _driver.WaitAsync(handle, CancellationToken.None);

            Assert.Equal(0, exit.ExitCode);
            SyscallProbe.AssertRefused(string.Join('\n', await LogsAsync(handle)));
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Start_Tmp_ExecutableButNosuidNodevAndItsOwnSize()
    {
        var handle = await StartAsync(
            _driver, "cp /usr/bin/true /tmp/t && /tmp/t && echo ran; grep ' /tmp ' /proc/self/mountinfo");
        await _driver.WaitAsync(handle, CancellationToken.None);

        var lines = await LogsAsync(handle);
        Assert.Equal("ran", lines[0]);
        Assert.Contains("nosuid,nodev", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("noexec", lines[1], StringComparison.Ordinal);
        Assert.Contains($"size={new SandboxPodOptions().TmpfsMb * 1024}k", lines[1], StringComparison.Ordinal);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Start_StateDirectoryUnderA0700Directory_PodRunsWithItsApp()
    {
        // What `poddle serve` makes by default: a data directory of mode 0700 (in a home of mode 0700), pods inside it.
        var home = Directory.CreateTempSubdirectory("poddle-private-home-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Join(home, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var driver = PodTestDrivers.Create(Path.Join(home, "data", "pods"));
            var handle = await StartAsync(driver, "echo written > /app/file && cat /app/file");
            var exit = await driver.WaitAsync(handle, CancellationToken.None);

            var lines = new List<string>();
            await foreach (var line in driver.ReadLogsAsync(handle, new PodLogQuery(), CancellationToken.None))
            {
                lines.Add(line.Text);
            }

            Assert.True(exit.ExitCode == 0, string.Join('\n', lines));
            Assert.Equal(["written"], lines);
            Assert.True((await driver.CheckHealthAsync(CancellationToken.None)).Available);
            await driver.DestroyAsync(handle, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [SandboxFact(needsCgroups: true)]
    public async Task CheckHealth_StateDirectoryTheSandboxCannotEnter_UnavailableSayingWhy()
    {
        Assert.True((await _driver.CheckHealthAsync(CancellationToken.None)).Available);

        // Someone made the state directory private after the driver set it up: no pod could start, and health says so.
        var state = PodTestDrivers.NewStateDirectory();
        var broken = PodTestDrivers.Create(state);
        File.SetUnixFileMode(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var health = await broken.CheckHealthAsync(CancellationToken.None);

        Assert.False(health.Available);
        Assert.Contains("a pod cannot start", health.Detail, StringComparison.Ordinal);
        Assert.Contains("Permission denied", health.Detail, StringComparison.Ordinal);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task SweepLeftoversAsync_PodsThatAreGone_CgroupsRemovedWhileLivePodsAndOtherStateDirectoriesStay()
    {
        var live = await StartAsync(_driver, "echo up; sleep 600");
        var gone = await StartAsync(_driver, "echo up; sleep 600");
        await WaitForLogAsync(live, "up");
        await WaitForLogAsync(gone, "up");
        string Procs(PodHandle handle) =>
            $"/sys/fs/cgroup/pids{SandboxChecks.CgroupParent}/{JsonDocument.Parse(handle.DriverState).RootElement.GetProperty("cgroup").GetString()}/cgroup.procs";

        // The server was killed while destroying `gone`: Destroy deletes the record first, and got no further.
        File.Delete(Path.Join(_driver.PodDirectory(gone.PodId), "state.json"));
        // A server on another state directory shares the cgroup parent: neither pod is its own to sweep.
        Assert.Equal(0, await PodTestDrivers.Create(PodTestDrivers.NewStateDirectory()).SweepLeftoversAsync(CancellationToken.None));
        Assert.True(File.Exists(Procs(gone)));

        var restarted = PodTestDrivers.Create(_stateDirectory);
        var swept = await restarted.SweepLeftoversAsync(CancellationToken.None);

        Assert.Equal(1, swept);
        Assert.False(File.Exists(Procs(gone)));
        Assert.NotEmpty((await File.ReadAllTextAsync(Procs(live))).Trim());
        Assert.Equal(PodState.Running, (await restarted.InspectAsync(live, CancellationToken.None)).State);
        _started.RemoveAll(p => p.Handle.PodId == gone.PodId);
        await _driver.DestroyAsync(gone, CancellationToken.None);
    }

    [SandboxFact]
    public async Task ReducedIsolation_NoCgroups_ServesHttpWithStatsAndStops()
    {
        var reduced = PodTestDrivers.Create(_stateDirectory, useCgroups: false);
        Assert.Equal(IsolationLevel.Reduced, reduced.Isolation.Level);
        var handle = await StartAsync(reduced, "exec python3 -m http.server $PORT --bind 127.0.0.1", port: 8080);
        await WaitForHttpAsync(reduced, handle);

        var stats = await reduced.GetStatsAsync(handle, CancellationToken.None);
        await reduced.StopAsync(handle, TimeSpan.FromSeconds(5), CancellationToken.None);
        var exit = await reduced.WaitAsync(handle, CancellationToken.None);

        Assert.NotNull(stats);
        Assert.True(stats.MemoryBytes > 0, $"memory {stats.MemoryBytes}");
        Assert.Null(stats.MemoryLimitBytes);
        Assert.Null(JsonDocument.Parse(handle.DriverState).RootElement.GetProperty("cgroup").GetString());
        Assert.NotNull(exit);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task Logs_BeyondTheCap_AreRotatedKeepingTheNewest()
    {
        var small = PodTestDrivers.Create(_stateDirectory, logMaxBytes: 4096);
        var handle = await StartAsync(small, "i=0; while [ $i -lt 1000 ]; do echo line$i; i=$((i+1)); done");
        await small.WaitAsync(handle, CancellationToken.None);

        var lines = new List<PodLogLine>();
        await foreach (var line in small.ReadLogsAsync(handle, new PodLogQuery(), CancellationToken.None))
        {
            lines.Add(line);
        }

        var directory = small.PodDirectory(handle.PodId);
        Assert.True(File.Exists(Path.Join(directory, "log.1")));
        Assert.True(new FileInfo(Path.Join(directory, "log")).Length + new FileInfo(Path.Join(directory, "log.1")).Length <= 2 * 4096 + 200);
        Assert.Equal("line999", lines[^1].Text);
        Assert.True(lines.Count < 1000, $"{lines.Count} lines kept");
        var first = int.Parse(lines[0].Text["line".Length..], CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(first, 1000 - first).Select(i => $"line{i}"), lines.Select(l => l.Text));
    }

    private Dictionary<string, string> Labels() => new()
    {
        [PodLabels.Owner] = "sandbox-pod-tests",
        [PodLabels.Kind] = "test",
        [PodLabels.Id] = _runId,
    };

    private async Task<PodHandle> StartAsync(
        SandboxPodDriver driver, string script, int? port = null, string? source = null, PodResources? resources = null, Dictionary<string, string>? env = null)
    {
        var spec = new PodSpec("pod-test", Labels(), null, ["/bin/sh", "-c", script], source, env ?? [], port, resources ?? new PodResources(500, 128));
        var handle = await driver.StartAsync(spec, CancellationToken.None);
        _started.Add((driver, handle));
        return handle;
    }

    private async Task<List<PodHandle>> ListAsync(SandboxPodDriver driver)
    {
        var handles = new List<PodHandle>();
        await foreach (var handle in driver.ListAsync(Labels(), CancellationToken.None))
        {
            handles.Add(handle);
        }

        return handles;
    }

    private async Task<List<string>> LogsAsync(PodHandle handle)
    {
        var lines = new List<string>();
        await foreach (var line in _driver.ReadLogsAsync(handle, new PodLogQuery(), CancellationToken.None))
        {
            lines.Add(line.Text);
        }

        return lines;
    }

    private async Task WaitForLogAsync(PodHandle handle, string text)
    {
        var clock = Stopwatch.StartNew();
        while (!(await LogsAsync(handle)).Contains(text))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"no '{text}' in the log");
            await Task.Delay(50);
        }
    }

    private static async Task<PodEndpoint> WaitForHttpAsync(SandboxPodDriver driver, PodHandle handle)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await driver.InspectAsync(handle, CancellationToken.None);
            Assert.Equal(PodState.Running, status.State);
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{status.Endpoint}/"));
                if (response.IsSuccessStatusCode)
                {
                    return status.Endpoint!;
                }
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }
    }
}
