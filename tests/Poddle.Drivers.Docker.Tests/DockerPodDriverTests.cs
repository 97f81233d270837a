using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>
/// What the compliance suite cannot see: the container the engine really made, images, an absent engine. Split by
/// concern like the driver: security (.Security.cs), images and registries (.Images.cs), exec (.Exec.cs), logs kept
/// across restarts (.Logs.cs), the host's address (.HostAddress.cs).
/// </summary>
public sealed partial class DockerPodDriverTests : IAsyncLifetime
{
    private readonly string _runId = Guid.NewGuid().ToString("N")[..12];
    private readonly List<(DockerPodDriver Driver, PodHandle Handle)> _started = [];
    private readonly List<DockerPodDriver> _drivers = [];
    private DockerClient? _engine;

    private DockerClient Engine => _engine ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync()
    {
        var driver = await DockerTestEngine.CreateDriverAsync();
        await driver.DisposeAsync();
        _engine = new DockerClientBuilder().WithEndpoint(DockerTestEngine.Options().Endpoint).Build();
    }

    public async Task DisposeAsync()
    {
        foreach (var (driver, handle) in _started)
        {
            await driver.DestroyAsync(handle, CancellationToken.None);
        }

        foreach (var driver in _drivers)
        {
            await driver.DisposeAsync();
        }

        _engine?.Dispose();
    }

    [Fact]
    public async Task Start_Container_HasLimitsLabelsEnvAndNoRestartInTheEngine()
    {
        var driver = await DriverAsync();
        var spec = Spec("sleep 60", port: 8080, resources: new PodResources(250, 48)) with
        {
            Env = new Dictionary<string, string> { ["GREETING"] = "hi", ["PORT"] = "1" },
        };

        var handle = await StartAsync(driver, spec);
        var container = await Engine.Containers.InspectContainerAsync(handle.PodId);
        var host = container.HostConfig!;
        var config = container.Config!;

        Assert.Equal(48L * 1024 * 1024, host.Memory);
        Assert.Equal(48L * 1024 * 1024, host.MemorySwap);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Null(host.CapAdd);
        Assert.Equal([DockerPodDriver.NoNewPrivileges], host.SecurityOpt);
        Assert.Equal(1024, host.PidsLimit);
        Assert.Equal("json-file", host.LogConfig!.Type);
        Assert.Equal(new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "3" }, host.LogConfig.Config);
        Assert.False(host.ReadonlyRootfs);
        Assert.True(host.Tmpfs is null || host.Tmpfs.Count == 0);
        Assert.True(string.IsNullOrEmpty(config.User));
        Assert.Equal(250_000_000L, host.NanoCPUs);
        Assert.Equal(RestartPolicyKind.No, host.RestartPolicy!.Name);
        Assert.True(host.Init, "docker-init is PID 1 (the engine here has it)");
        Assert.Equal("compliance", config.Labels![PodLabels.Owner]);
        Assert.Equal(_runId, config.Labels![PodLabels.Id]);
        Assert.Equal("a", config.Labels!["test.role"]);
        Assert.Contains("GREETING=hi", config.Env);
        Assert.Contains("PORT=8080", config.Env);
        Assert.DoesNotContain("PORT=1", config.Env);
        Assert.Contains("8080/tcp", config.ExposedPorts!.Keys);
        Assert.StartsWith("/poddle-limits-", container.Name, StringComparison.Ordinal);
        Assert.Contains(container.Name.TrimStart('/'), handle.DriverState, StringComparison.Ordinal);
        Assert.Equal(handle.Labels, (await ListAsync(driver)).Single().Labels.Where(l => handle.Labels.ContainsKey(l.Key)).ToDictionary());
    }

    [Theory]
    [InlineData(DockerImagePullPolicy.Never)]
    [InlineData(DockerImagePullPolicy.IfNotPresent)]
    [InlineData(DockerImagePullPolicy.Always)]
    public async Task Start_MissingImage_ImageNotFoundAndNoContainerLeft(DockerImagePullPolicy policy)
    {
        var options = DockerTestEngine.Options();
        options.ImagePullPolicy = policy;
        var driver = await DriverAsync(options);
        var image = $"poddle-test/missing-{_runId}:latest";

        var error = await StartFailsAsync(driver, Spec("exit 0") with { Image = image });

        // Which registry was asked (none with policy Never) and why it failed, and how to get the image there instead.
        Assert.Equal(PodFailureKind.ImageNotFound, error.Kind);
        Assert.StartsWith($"image {image} is not on this Docker Engine", error.Message, StringComparison.Ordinal);
        Assert.Contains("docker load -i image.tar", error.Message, StringComparison.Ordinal);
        if (policy == DockerImagePullPolicy.Never)
        {
            Assert.Contains("ImagePullPolicy is Never, so no registry was asked", error.Message, StringComparison.Ordinal);
        }
        else
        {
            // No registry is reachable here; with internet access Docker Hub answers that the repository does not exist.
            Assert.Contains("pulling it from docker.io (Docker Hub) failed: ", error.Message, StringComparison.Ordinal);
            Assert.Matches("could not reach docker.io|docker.io refused|docker.io has no such", error.Message);
        }

        Assert.Empty(await ListAsync(driver));
    }

    [Fact]
    public async Task Start_PullPolicyAlways_LocalImageStillRunsWhenTheRegistryIsUnreachable()
    {
        // No registry is reachable here (and poddle-test/ exists on none): the pull fails, the local image runs.
        var options = DockerTestEngine.Options();
        options.ImagePullPolicy = DockerImagePullPolicy.Always;
        var driver = await DriverAsync(options);

        var handle = await StartAsync(driver, Spec("exit 4"));

        Assert.Equal(4, (await driver.WaitAsync(handle, Timeout(30))).ExitCode);
    }

    [Fact]
    public async Task Start_CannotStart_ContainerIsRemoved()
    {
        // The engine creates the container, then fails to start it (no such executable): nothing is left behind.
        // Without docker-init, which would start and then exit 127 instead.
        var options = DockerTestEngine.Options();
        options.UseInit = false;
        var driver = await DriverAsync(options);

        var error = await StartFailsAsync(driver, Spec("x") with { Command = ["/no/such/program"] });

        Assert.Contains("no such file", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await ListAsync(driver));
        var leftovers = await Engine.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{PodLabels.Id}={_runId}"] = true } },
        });
        Assert.Empty(leftovers);
    }

    [Fact]
    public async Task Start_MoreCpuThanTheHostHas_InsufficientResourcesAndNoContainerLeft()
    {
        var driver = await DriverAsync();

        var error = await StartFailsAsync(driver, Spec("exit 0", resources: new PodResources((Environment.ProcessorCount + 1) * 1000, 64)));

        Assert.Equal(PodFailureKind.InsufficientResources, error.Kind);
        Assert.Empty(await ListAsync(driver));
    }

    [Fact]
    public async Task Engine_Unreachable_StartIsDriverUnavailableAndHealthSaysWhy()
    {
        var options = DockerTestEngine.Options();
        options.Endpoint = new Uri($"unix:///tmp/poddle-no-docker-{_runId}.sock");
        var driver = new DockerPodDriver(options);
        _drivers.Add(driver);

        var health = await driver.CheckHealthAsync(Timeout(10));
        var error = await Assert.ThrowsAsync<PodDriverException>(() => driver.StartAsync(Spec("exit 0"), Timeout(10)));
        var inspect = await Assert.ThrowsAsync<PodDriverException>(() => driver.InspectAsync(new PodHandle("docker", "abc", 1, "{}", Labels()), Timeout(10)));

        Assert.False(health.Available);
        Assert.Contains(options.Endpoint.ToString(), health.Detail, StringComparison.Ordinal);
        Assert.Contains(options.Endpoint.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("no socket at", health.Detail, StringComparison.Ordinal);
        Assert.Equal(PodFailureKind.DriverUnavailable, error.Kind);
        Assert.Equal(PodFailureKind.DriverUnavailable, inspect.Kind);
    }

    [Fact]
    public async Task Start_PublishedPortMode_ServesHttpOnLoopbackWithAnEphemeralPort()
    {
        var options = DockerTestEngine.Options();
        options.EndpointMode = DockerEndpointMode.PublishedPort;
        var driver = await DriverAsync(options);

        var handle = await StartAsync(driver, Spec("exec httpd -f -p $PORT -h /www", port: 8080));
        var endpoint = await WaitForHttpAsync(driver, handle);

        Assert.Equal("127.0.0.1", endpoint.Host);
        Assert.NotEqual(8080, endpoint.Port);
    }

    [Fact]
    public async Task Start_ContainerAddressMode_EndpointIsTheAddressOnTheTenantsNetwork()
    {
        var driver = await DriverAsync();

        var handle = await StartAsync(driver, Spec("exec httpd -f -p $PORT -h /www", port: 8080));
        var endpoint = await WaitForHttpAsync(driver, handle);
        var container = await Engine.Containers.InspectContainerAsync(handle.PodId);

        var (network, bridge) = DockerPodDriver.TenantNetworkNames(handle.Labels[PodLabels.Owner]); // no tenant label: the owner's
        Assert.Equal(container.NetworkSettings!.Networks![network].IPAddress, endpoint.Host);
        Assert.Equal(8080, endpoint.Port);
        var inspected = await Engine.Networks.InspectNetworkAsync(network);
        Assert.Equal(bridge, inspected.Options["com.docker.network.bridge.name"]);
        Assert.Equal(handle.Labels[PodLabels.Owner], inspected.Labels[PodLabels.Tenant]);
    }

    [Fact]
    public async Task Destroy_LastPodOfATenant_RemovesTheTenantsNetwork_AndKeepsItWhileAPodRemains()
    {
        var driver = await DriverAsync();
        // A tenant of this test alone: other tests' pods (owner "compliance") must not keep its network alive.
        var tenant = "tenant-" + _runId;
        PodSpec TenantSpec()
        {
            var spec = Spec("sleep 60");
            return spec with { Labels = new Dictionary<string, string>(spec.Labels) { [PodLabels.Tenant] = tenant } };
        }

        var first = await StartAsync(driver, TenantSpec());
        var second = await StartAsync(driver, TenantSpec());
        var (network, _) = DockerPodDriver.TenantNetworkNames(tenant);

        await driver.DestroyAsync(first, Timeout(30));
        Assert.NotNull(await Engine.Networks.InspectNetworkAsync(network));

        await driver.DestroyAsync(second, Timeout(30));
        await Assert.ThrowsAsync<global::Docker.DotNet.DockerNetworkNotFoundException>(() => Engine.Networks.InspectNetworkAsync(network));
    }

    [Fact]
    public async Task Start_TenantsNotIsolated_JoinsTheConfiguredNetwork()
    {
        var options = DockerTestEngine.Options();
        options.IsolateTenants = false;
        var driver = await DriverAsync(options);
        Assert.False(driver.Capabilities.NetworkIsolation);

        var handle = await StartAsync(driver, Spec("exec httpd -f -p $PORT -h /www", port: 8080));
        var endpoint = await WaitForHttpAsync(driver, handle);
        var container = await Engine.Containers.InspectContainerAsync(handle.PodId);

        Assert.Equal(container.NetworkSettings!.Networks!["bridge"].IPAddress, endpoint.Host);
    }

    [Fact]
    public async Task Logs_Since_OnlyLinesWrittenAtOrAfter()
    {
        var driver = await DriverAsync();
        // Pauses between streams: the engine stamps each pipe's lines as it reads them, so lines on stdout and stderr
        // microseconds apart can carry timestamps in either order.
        var handle = await StartAsync(driver, Spec("echo early >&2; sleep 1; echo late; sleep 0.3; echo later >&2"));
        await driver.WaitAsync(handle, Timeout(30));
        var all = await ReadLogsAsync(driver, handle, new PodLogQuery());
        var late = all.Single(l => l.Text == "late");

        var since = await ReadLogsAsync(driver, handle, new PodLogQuery(Since: late.Timestamp));

        Assert.Equal(["early", "late", "later"], all.Select(l => l.Text).Order().ToArray());
        Assert.Equal(["late", "later"], since.Select(l => l.Text).Order().ToArray());
        Assert.All(all, l => Assert.True(Math.Abs((l.Timestamp - DateTimeOffset.UtcNow).TotalMinutes) < 5, $"timestamp {l.Timestamp}"));
    }

    [Fact]
    public async Task Logs_LongLine_IsCutAt16KiB()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("head -c 40000 /dev/zero | tr '\\0' x; echo; echo next"));
        await driver.WaitAsync(handle, Timeout(30));

        var lines = await ReadLogsAsync(driver, handle, new PodLogQuery());

        Assert.Equal(new string('x', 16 * 1024), lines[0].Text);
        Assert.Equal("next", lines[^1].Text);
    }

    [Fact]
    public async Task Logs_FollowAnExitingPod_EndsWhenItExits()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("echo a; sleep 0.5; echo b >&2; sleep 0.5; echo c"));
        var clock = Stopwatch.StartNew();

        var lines = await ReadLogsAsync(driver, handle, new PodLogQuery(Follow: true));

        Assert.Equal(["a", "b", "c"], lines.Select(l => l.Text).ToArray());
        Assert.Equal(["stdout", "stderr", "stdout"], lines.Select(l => l.Stream).ToArray());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"follow took {clock.Elapsed}");
        Assert.Equal(PodState.Exited, (await driver.InspectAsync(handle, Timeout(10))).State);
    }

    [Fact]
    public async Task Recover_ContainerRemovedBehindPoddlesBack_NoErrorAndInspectSaysNotFound()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("sleep 60"));
        await Engine.Containers.RemoveContainerAsync(handle.PodId, new ContainerRemoveParameters { Force = true });
        var restarted = await DriverAsync();

        await restarted.RecoverAsync(handle, Timeout(10));

        Assert.Equal(PodState.NotFound, (await restarted.InspectAsync(handle, Timeout(10))).State);
        Assert.Null(await restarted.GetStatsAsync(handle, Timeout(10)));
        var wait = await Assert.ThrowsAsync<PodDriverException>(() => restarted.WaitAsync(handle, Timeout(10)));
        Assert.Equal(PodFailureKind.Other, wait.Kind);
    }

    [Fact]
    public async Task Stats_ExitedPod_IsNull()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("exit 0"));
        await driver.WaitAsync(handle, Timeout(30));

        Assert.Null(await driver.GetStatsAsync(handle, Timeout(10)));
    }

    [Fact]
    public async Task Stats_NetworkCounters_CountTraffic()
    {
        var driver = await DriverAsync();
        var handle = await StartAsync(driver, Spec("exec httpd -f -p $PORT -h /www", port: 8080));
        await WaitForHttpAsync(driver, handle);

        var stats = await driver.GetStatsAsync(handle, Timeout(10));

        Assert.NotNull(stats);
        Assert.True(stats.NetworkRxBytes > 0, $"rx {stats.NetworkRxBytes}");
        Assert.True(stats.NetworkTxBytes > 0, $"tx {stats.NetworkTxBytes}");
        Assert.Equal(128L * 1024 * 1024, stats.MemoryLimitBytes);
    }

    [Theory]
    [InlineData("2026-11-23T17:00:19.854703699Z", "2026-11-23T17:00:19.8547036+00:00")]
    [InlineData("2026-11-23T17:00:19.85Z", "2026-11-23T17:00:19.8500000+00:00")]
    [InlineData("2026-11-23T17:00:19Z", "2026-11-23T17:00:19.0000000+00:00")]
    [InlineData("2026-11-23T18:00:19.123456789+01:00", "2026-11-23T17:00:19.1234567+00:00")]
    public void TryParseTimestamp_Nanoseconds_TruncatedNotRounded(string engine, string expected)
    {
        Assert.True(DockerLogReader.TryParseTimestamp(engine, out var time));

        Assert.Equal(expected, time.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0, false, 0, null, "exit code 0")]
    [InlineData(3, false, 3, null, "exit code 3")]
    [InlineData(137, false, 137, 9, "killed by signal 9")]
    [InlineData(143, false, 143, 15, "killed by signal 15")]
    [InlineData(137, true, 137, 9, "OOMKilled")]
    [InlineData(128, false, 128, null, "exit code 128")]
    [InlineData(255, false, 255, null, "exit code 255")]
    public void ToExit_EngineExitCode_MapsSignalsByShellConvention(long code, bool oom, int exitCode, int? signal, string reason)
    {
        var exit = DockerPodDriver.ToExit(code, oom);

        Assert.Equal(new ExitResult(exitCode, signal, oom, reason), exit);
    }

    private async Task<DockerPodDriver> DriverAsync(DockerDriverOptions? options = null)
    {
        var driver = await DockerTestEngine.CreateDriverAsync(options);
        _drivers.Add(driver);
        return driver;
    }

    private async Task<PodHandle> StartAsync(DockerPodDriver driver, PodSpec spec)
    {
        var handle = await driver.StartAsync(spec, Timeout(60));
        _started.Add((driver, handle));
        return handle;
    }

    /// <summary>Expects the start to fail; a pod that starts all the same is still destroyed at the end.</summary>
    private async Task<PodDriverException> StartFailsAsync(DockerPodDriver driver, PodSpec spec)
    {
        try
        {
            var handle = await StartAsync(driver, spec);
            throw new Xunit.Sdk.XunitException($"the start succeeded: {handle.PodId}");
        }
        catch (PodDriverException ex)
        {
            return ex;
        }
    }

    private Dictionary<string, string> Labels() => new()
    {
        [PodLabels.Owner] = "compliance",
        [PodLabels.Kind] = "test",
        [PodLabels.Id] = _runId,
        ["test.role"] = "a",
    };

    private PodSpec Spec(string script, int? port = null, PodResources? resources = null) =>
        new("limits", Labels(), DockerTestEngine.BusyboxImage, ["sh", "-c", script], null, new Dictionary<string, string>(), port, resources ?? new PodResources(500, 128));

    private async Task<List<PodHandle>> ListAsync(DockerPodDriver driver)
    {
        var handles = new List<PodHandle>();
        await foreach (var handle in driver.ListAsync(new Dictionary<string, string> { [PodLabels.Id] = _runId }, Timeout(30)))
        {
            handles.Add(handle);
        }

        return handles;
    }

    private static async Task<List<PodLogLine>> ReadLogsAsync(DockerPodDriver driver, PodHandle handle, PodLogQuery query)
    {
        var lines = new List<PodLogLine>();
        await foreach (var line in driver.ReadLogsAsync(handle, query, Timeout(30)))
        {
            lines.Add(line);
        }

        return lines;
    }

    private static async Task<PodEndpoint> WaitForHttpAsync(DockerPodDriver driver, PodHandle handle)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        var last = "no endpoint";
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if ((await driver.InspectAsync(handle, Timeout(10))).Endpoint is { } endpoint)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://{endpoint}/"));
                    if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Trim() == "ok")
                    {
                        return endpoint;
                    }

                    last = $"HTTP {(int)response.StatusCode}";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    last = ex.Message;
                }
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"no HTTP within 20 s: {last}");
    }

    private static CancellationToken Timeout(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
