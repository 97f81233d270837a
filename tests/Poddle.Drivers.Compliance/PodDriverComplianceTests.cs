using System.Diagnostics;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Drivers.Compliance;

/// <summary>
/// What every <see cref="IPodDriver"/> must do, as tests. A driver's test project subclasses this once, says how to
/// make the driver and how to run a shell script in a pod (<see cref="ShellSpec"/>), and inherits every test.
/// Scripts use only POSIX sh and busybox-level tools, so the same script runs on the host's sh (sandbox driver)
/// and in a busybox image (Docker). Every pod a test starts is destroyed at the end, even when the test fails.
/// </summary>
public abstract partial class PodDriverComplianceTests : IAsyncLifetime
{
    private readonly List<PodHandle> started = [];
    private IPodDriver? driver;

    /// <summary>A label value unique to this test instance, so tests running at once never see each other's pods.</summary>
    protected string RunId { get; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>The driver under test.</summary>
    protected IPodDriver Driver => driver ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>Makes the driver under test; called once per test.</summary>
    protected abstract Task<IPodDriver> CreateDriverAsync();

    /// <summary>A second instance of the driver that shares the first one's state (as a restarted server would).</summary>
    protected virtual Task<IPodDriver> CreateRestartedDriverAsync() => CreateDriverAsync();

    /// <summary>A pod that runs <paramref name="script"/> with sh -c (the driver's sh: host or image).</summary>
    protected abstract PodSpec ShellSpec(string script, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> env, int? port, PodResources resources);

    /// <summary>A script that serves HTTP on $PORT, answering 200 to GET / (busybox httpd, python3 -m http.server ...).</summary>
    protected abstract string HttpServerScript { get; }

    /// <summary>How long a pod may take to start serving (an image pull or an interpreter start).</summary>
    protected virtual TimeSpan StartTimeout => TimeSpan.FromSeconds(20);

    /// <inheritdoc />
    public async Task InitializeAsync() => driver = await CreateDriverAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var handle in started)
        {
            try
            {
                await Driver.DestroyAsync(handle, CancellationToken.None);
            }
            catch (PodDriverException)
            {
                // Best effort: the test already failed or the pod is gone; a leftover shows in the orphan test.
            }
        }

        await DisposeDriverAsync(Driver);
    }

    /// <summary>Releases the driver (and anything the subclass made) after each test.</summary>
    protected virtual ValueTask DisposeDriverAsync(IPodDriver podDriver) =>
        podDriver is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;

    [Fact]
    public async Task CheckHealth_DriverUsable_ReportsAvailableWithName()
    {
        var health = await Driver.CheckHealthAsync(Timeout(10));

        Assert.True(health.Available, health.Detail);
        Assert.Matches("^[a-z][a-z0-9-]*$", Driver.Name);
        Assert.True(Driver.Capabilities.Images || Driver.Capabilities.Commands, "a driver runs images or commands");
    }

    [Fact]
    public async Task Wait_ProcessExitsWithCode_ReturnsCodeAndInspectSaysExited()
    {
        if (!Driver.Capabilities.ExitStatus)
        {
            // A provider that restarts the container itself never reports the exit (RunPod); stopping is what ends a pod.
            return;
        }

        var handle = await StartAsync("echo starting; exit 3");

        var exit = await Driver.WaitAsync(handle, Timeout(30));

        Assert.Equal(3, exit.ExitCode);
        Assert.Null(exit.Signal);
        Assert.False(exit.OomKilled);
        Assert.Equal("exit code 3", exit.Reason);
        var status = await Driver.InspectAsync(handle, Timeout(10));
        Assert.Equal(PodState.Exited, status.State);
        Assert.Equal(3, status.Exit?.ExitCode);
        Assert.Equal(Driver.Name, handle.Driver);
    }

    [Fact]
    public async Task Wait_ExitedPod_ReturnsAtOnceEveryTime()
    {
        var handle = await StartAsync("exit 0");
        var expected = Driver.Capabilities.ExitStatus ? 0 : ExitResult.Unknown.ExitCode;
        await EndAsync(handle);
        Assert.Equal(expected, (await Driver.WaitAsync(handle, Timeout(30))).ExitCode);

        var again = await Driver.WaitAsync(handle, Timeout(5));

        Assert.Equal(expected, again.ExitCode);
        Assert.Equal(PodState.Exited, (await Driver.InspectAsync(handle, Timeout(10))).State);
    }

    [Fact]
    public async Task List_ByLabels_FindsOnlyMatchingPodsUntilDestroyed()
    {
        var first = await StartAsync("sleep 60", extraLabels: new Dictionary<string, string> { ["test.role"] = "a" });
        var second = await StartAsync("sleep 60", extraLabels: new Dictionary<string, string> { ["test.role"] = "b" });

        var all = await ListAsync(Labels());
        var onlyA = await ListAsync(Labels(("test.role", "a")));

        Assert.Equal(new[] { first.PodId, second.PodId }.Order().ToArray(), all.Select(h => h.PodId).Order().ToArray());
        Assert.Equal(first.PodId, Assert.Single(onlyA).PodId);
        Assert.Equal("a", Assert.Single(onlyA).Labels["test.role"]);

        await Driver.DestroyAsync(first, Timeout(30));
        var afterDestroy = await ListAsync(Labels());
        Assert.Equal(second.PodId, Assert.Single(afterDestroy).PodId);
    }

    [Fact]
    public async Task List_HandleFromList_WorksLikeTheStartedOne()
    {
        var handle = await StartAsync("sleep 60");
        var listed = Assert.Single(await ListAsync(Labels()));

        var status = await Driver.InspectAsync(listed, Timeout(10));

        Assert.Equal(handle.PodId, listed.PodId);
        Assert.Equal(PodState.Running, status.State);
    }

    [Fact]
    public async Task Start_WithPort_ServesHttpOnTheReportedEndpoint()
    {
        var handle = await StartAsync(HttpServerScript, port: 8080);
        if (!Driver.Capabilities.LocalEndpoint)
        {
            // A remote provider's pod is reached through its proxy, not from this machine: it runs, that is all to see.
            await WaitForRunningAsync(handle);
            return;
        }

        var endpoint = await WaitForHttpAsync(handle);

        Assert.NotNull(endpoint);
    }

    [Fact]
    public async Task Start_Env_IsVisibleToTheProcessAndPortIsSet()
    {
        if (!Driver.Capabilities.Logs || !Driver.Capabilities.ExitStatus)
        {
            // What the process sees is only observable through its output (a driver's own tests check what it passes).
            Assert.False(Driver is IPodLogSource && !Driver.Capabilities.Logs, "a driver that implements IPodLogSource says so in its capabilities");
            return;
        }

        var handle = await StartAsync("echo \"greeting=$GREETING port=$PORT\"", env: new Dictionary<string, string> { ["GREETING"] = "hello world" }, port: 8080);
        await Driver.WaitAsync(handle, Timeout(30));

        var lines = await ReadLogsAsync(handle, new PodLogQuery());

        Assert.Contains(lines, l => l.Text == "greeting=hello world port=8080" || l.Text.StartsWith("greeting=hello world port=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_StdoutAndStderr_ReadWithTailInOrder()
    {
        if (!Driver.Capabilities.Logs)
        {
            Assert.False(Driver is IPodLogSource, "a driver that implements IPodLogSource says so in its capabilities");
            return;
        }

        // The pauses make the order across streams observable: stdout and stderr are separate pipes, and a container
        // engine reads them concurrently, so two lines written a microsecond apart on different pipes have no order.
        var handle = await StartAsync("echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; echo four");
        await Driver.WaitAsync(handle, Timeout(30));

        var all = await ReadLogsAsync(handle, new PodLogQuery());
        var tail = await ReadLogsAsync(handle, new PodLogQuery(Tail: 2));

        Assert.Equal(["one", "two", "three", "four"], all.Select(l => l.Text).ToArray());
        Assert.Equal("stderr", all[1].Stream);
        Assert.Equal("stdout", all[0].Stream);
        Assert.Equal(["three", "four"], tail.Select(l => l.Text).ToArray());
    }

    [Fact]
    public async Task Logs_Follow_YieldsNewLinesAsTheyAreWritten()
    {
        if (!Driver.Capabilities.Logs)
        {
            return;
        }

        var handle = await StartAsync("i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); sleep 0.2; done");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();

        await foreach (var line in ((IPodLogSource)Driver).ReadLogsAsync(handle, new PodLogQuery(Follow: true), cts.Token))
        {
            seen.Add(line.Text);
            if (seen.Count == 5)
            {
                break;
            }
        }

        Assert.Equal(["line0", "line1", "line2", "line3", "line4"], seen);
    }

    [Fact]
    public async Task Stats_RunningPod_ReportsMemoryAndCpu()
    {
        if (!Driver.Capabilities.Stats)
        {
            Assert.False(Driver is IPodStatsSource, "a driver that implements IPodStatsSource says so in its capabilities");
            return;
        }

        var handle = await StartAsync("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 60", resources: new PodResources(500, 64));
        var stats = (IPodStatsSource)Driver;
        PodStats? sample = null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            sample = await stats.GetStatsAsync(handle, Timeout(10));
            if (sample is { MemoryBytes: > 0, CpuUsageNanoseconds: > 0 })
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.NotNull(sample);
        Assert.True(sample.MemoryBytes > 0, $"memory {sample.MemoryBytes}");
        Assert.True(sample.CpuUsageNanoseconds > 0, $"cpu {sample.CpuUsageNanoseconds}");
        if (sample.MemoryLimitBytes is { } limit)
        {
            Assert.Equal(64L * 1024 * 1024, limit);
        }
    }

    [Fact]
    public async Task Stop_AppHandlesSigterm_ExitsCleanlyWithinGrace()
    {
        if (!Driver.Capabilities.Signals)
        {
            return;
        }

        var handle = await StartAsync("trap 'echo got-term; exit 0' TERM; echo ready; while true; do sleep 0.1; done");
        await WaitForLogAsync(handle, "ready");

        await Driver.StopAsync(handle, TimeSpan.FromSeconds(10), Timeout(30));
        var exit = await Driver.WaitAsync(handle, Timeout(10));

        Assert.Equal(0, exit.ExitCode);
        Assert.Null(exit.Signal);
    }

    [Fact]
    public async Task Stop_AppIgnoresSigterm_KilledAfterGrace()
    {
        var handle = await StartAsync("trap '' TERM; echo ready; while true; do sleep 0.1; done");
        await WaitForLogAsync(handle, "ready");
        var clock = Stopwatch.StartNew();

        await Driver.StopAsync(handle, TimeSpan.FromSeconds(1), Timeout(30));
        var exit = await Driver.WaitAsync(handle, Timeout(20));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"stop took {clock.Elapsed}");
        Assert.Equal(PodState.Exited, (await Driver.InspectAsync(handle, Timeout(10))).State);
        if (!Driver.Capabilities.ExitStatus)
        {
            Assert.Equal(ExitResult.Unknown, exit);
            return;
        }

        Assert.Equal(9, exit.Signal);
        Assert.Equal(137, exit.ExitCode);
        Assert.False(exit.OomKilled);
    }

    [Fact]
    public async Task Stop_ExitedOrUnknownPod_IsANoOp()
    {
        var handle = await StartAsync("exit 0");
        await EndAsync(handle);
        await Driver.WaitAsync(handle, Timeout(30));

        await Driver.StopAsync(handle, TimeSpan.FromSeconds(1), Timeout(10));
        await Driver.DestroyAsync(handle, Timeout(30));
        await Driver.StopAsync(handle, TimeSpan.FromSeconds(1), Timeout(10));
        await Driver.DestroyAsync(handle, Timeout(30));

        Assert.Equal(PodState.NotFound, (await Driver.InspectAsync(handle, Timeout(10))).State);
    }

    [Fact]
    public async Task Memory_OverLimit_OomKilledIsReported()
    {
        if (!Driver.Capabilities.ExitStatus)
        {
            // No exit status, no OOM kill to report (RunPod's memory is a minimum to rent, not a limit).
            return;
        }

        var handle = await StartAsync(
            "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived ${#x}",
            resources: new PodResources(1000, 32));

        var exit = await Driver.WaitAsync(handle, Timeout(60));

        Assert.True(exit.OomKilled, $"exit {exit}");
        Assert.Equal("OOMKilled", exit.Reason);
    }

    [Fact]
    public async Task Destroy_RunningPod_KillsItAndInspectSaysNotFound()
    {
        var handle = await StartAsync("sleep 60");

        await Driver.DestroyAsync(handle, Timeout(30));

        Assert.Equal(PodState.NotFound, (await Driver.InspectAsync(handle, Timeout(10))).State);
        Assert.Empty(await ListAsync(Labels()));
    }

    [Fact]
    public async Task Inspect_HandleTheDriverNeverMade_NotFound()
    {
        var real = await StartAsync("exit 0");
        var unknown = real with { PodId = real.PodId + "0" };

        var status = await Driver.InspectAsync(unknown, Timeout(10));

        Assert.Equal(PodState.NotFound, status.State);
    }

    [Fact]
    public async Task Recover_AfterDriverRestart_SamePodKeepsRunningAndCanBeStopped()
    {
        var handle = await StartAsync(HttpServerScript, port: 8080);
        var local = Driver.Capabilities.LocalEndpoint;
        if (local)
        {
            await WaitForHttpAsync(handle);
        }
        else
        {
            await WaitForRunningAsync(handle);
        }

        var startedAt = (await Driver.InspectAsync(handle, Timeout(10))).StartedAt;

        var restarted = await CreateRestartedDriverAsync();
        try
        {
            var listed = Assert.Single(await ListAsync(Labels(), restarted));
            await restarted.RecoverAsync(listed, Timeout(30));
            var status = await restarted.InspectAsync(listed, Timeout(10));

            Assert.Equal(PodState.Running, status.State);
            Assert.Equal(startedAt, status.StartedAt);
            if (local)
            {
                Assert.NotNull(status.Endpoint);
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                using var response = await http.GetAsync(new Uri($"http://{status.Endpoint}/"));
                Assert.True(response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode}");
            }

            await restarted.StopAsync(listed, TimeSpan.FromSeconds(2), Timeout(30));
            var exit = await restarted.WaitAsync(listed, Timeout(20));
            Assert.NotNull(exit);
        }
        finally
        {
            await DisposeDriverAsync(restarted);
        }
    }

    [Fact]
    public async Task Handle_DriverState_IsSmallAndVersioned()
    {
        var handle = await StartAsync("sleep 60");

        Assert.True(handle.StateVersion >= 1);
        Assert.True(handle.DriverState.Length <= 4096, $"driver state is {handle.DriverState.Length} chars");
        Assert.Equal(RunId, handle.Labels[PodLabels.Id]);
    }

    /// <summary>The labels every pod of this test carries, plus extras.</summary>
    protected Dictionary<string, string> Labels(params (string Key, string Value)[] extra)
    {
        var labels = new Dictionary<string, string>
        {
            [PodLabels.Owner] = "compliance",
            [PodLabels.Kind] = "test",
            [PodLabels.Id] = RunId,
        };
        foreach (var (key, value) in extra)
        {
            labels[key] = value;
        }

        return labels;
    }

    /// <summary>Starts a pod running <paramref name="script"/> and remembers it for clean-up.</summary>
    protected async Task<PodHandle> StartAsync(
        string script,
        IReadOnlyDictionary<string, string>? extraLabels = null,
        IReadOnlyDictionary<string, string>? env = null,
        int? port = null,
        PodResources? resources = null)
    {
        var labels = Labels();
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        var spec = ShellSpec(script, labels, env ?? new Dictionary<string, string>(), port, resources ?? new PodResources(500, 128));
        var handle = await Driver.StartAsync(spec, Timeout(60));
        started.Add(handle);
        return handle;
    }

    /// <summary>Polls until the pod answers HTTP on its endpoint.</summary>
    protected async Task<PodEndpoint> WaitForHttpAsync(PodHandle handle)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        string last = "no endpoint";
        while (clock.Elapsed < StartTimeout)
        {
            var status = await Driver.InspectAsync(handle, Timeout(10));
            Assert.NotEqual(PodState.Exited, status.State);
            if (status.Endpoint is { } endpoint)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://{endpoint}/"));
                    if (response.IsSuccessStatusCode)
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

        throw new Xunit.Sdk.XunitException($"the pod did not serve HTTP within {StartTimeout}: {last}");
    }

    /// <summary>Polls until the driver says the pod runs (for drivers whose endpoint this machine cannot reach).</summary>
    protected async Task WaitForRunningAsync(PodHandle handle)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            var state = (await Driver.InspectAsync(handle, Timeout(10))).State;
            Assert.NotEqual(PodState.Exited, state);
            if (state == PodState.Running)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"the pod did not run within {StartTimeout}");
    }

    /// <summary>
    /// Ends a pod whose command exits by itself: waits for that, or (<see cref="DriverCapabilities.ExitStatus"/> false:
    /// the provider restarts a container whose process ends) stops it.
    /// </summary>
    protected async Task EndAsync(PodHandle handle)
    {
        if (Driver.Capabilities.ExitStatus)
        {
            await Driver.WaitAsync(handle, Timeout(30));
            return;
        }

        await Driver.StopAsync(handle, TimeSpan.FromSeconds(1), Timeout(30));
    }

    /// <summary>Polls the pod's logs until a line equals <paramref name="text"/>.</summary>
    protected async Task WaitForLogAsync(PodHandle handle, string text)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (!Driver.Capabilities.Logs)
            {
                await Task.Delay(1000);
                return;
            }

            if ((await ReadLogsAsync(handle, new PodLogQuery())).Any(l => l.Text == text))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"the pod did not log '{text}' within {StartTimeout}");
    }

    /// <summary>Reads logs to the end (no follow).</summary>
    protected async Task<List<PodLogLine>> ReadLogsAsync(PodHandle handle, PodLogQuery query)
    {
        var lines = new List<PodLogLine>();
        await foreach (var line in ((IPodLogSource)Driver).ReadLogsAsync(handle, query, Timeout(30)))
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Lists pods by labels through <paramref name="source"/> (the driver under test by default).</summary>
    protected async Task<List<PodHandle>> ListAsync(IReadOnlyDictionary<string, string> labels, IPodDriver? source = null)
    {
        var handles = new List<PodHandle>();
        await foreach (var handle in (source ?? Driver).ListAsync(labels, Timeout(30)))
        {
            handles.Add(handle);
        }

        return handles;
    }

    private static CancellationToken Timeout(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
