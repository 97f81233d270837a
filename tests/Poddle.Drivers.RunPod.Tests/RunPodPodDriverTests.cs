using Microsoft.Extensions.Time.Testing;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing.RunPod;

namespace Poddle.Drivers.RunPod.Tests;

/// <summary>
/// What the compliance suite cannot see, against the RunPod fake over real HTTP: what is sent to RunPod (GPU, disks,
/// ports, env and labels, spot bid), RunPod's statuses, capacity errors, retries, the circuit breaker, auth. Split by
/// concern: resilience (.Resilience.cs), the fake's own RunPod behaviour (.Fake.cs).
/// </summary>
public sealed partial class RunPodPodDriverTests : IAsyncLifetime
{
    private readonly string _runId = Guid.NewGuid().ToString("N")[..12];
    private RunPodFake? _fake;

    private RunPodFake Fake => _fake ?? throw new InvalidOperationException("not initialized");

    public async Task InitializeAsync() => _fake = await RunPodFake.StartAsync();

    public async Task DisposeAsync() => await Fake.DisposeAsync();

    [Fact]
    public async Task Start_OnDemand_RentsTheGpuWithDisksPortsEnvAndLabels()
    {
        var driver = Driver();
        var spec = Spec() with
        {
            Gpu = new PodGpu(2, RunPodTestDriver.GpuType),
            Storage = new PodStorage(ContainerDiskGb: 40, VolumeGb: 50, VolumeMountPath: "/data"),
            Ports = [new PodPortMapping(22, PodPortMapping.Tcp)],
            Placement = new PodPlacement(PodCloudType.Secure),
        };

        var handle = await driver.StartAsync(spec, Timeout());

        var pod = Assert.Single(Fake.Pods);
        Assert.Equal(handle.PodId, pod.Id);
        Assert.Equal(RunPodTestDriver.GpuType, pod.GpuType.Id);
        Assert.Equal(2, pod.GpuCount);
        Assert.Equal("SECURE", pod.CloudType);
        Assert.Equal(40, pod.ContainerDiskInGb);
        Assert.Equal(50, pod.VolumeInGb);
        Assert.Equal("/data", pod.VolumeMountPath);
        Assert.Equal("8080/http,22/tcp", pod.Ports);
        Assert.Equal("'sh' '-c' 'echo it'\\''s'", pod.DockerArgs);
        Assert.Contains("GREETING=hello", pod.Env);
        Assert.Contains("PORT=8080", pod.Env);
        Assert.Equal($"poddle-worker-{_runId}-gpu", pod.Name);
        Assert.False(pod.Interruptible);
        Assert.Equal(2 * 0.25, pod.CostPerHr, 3);
        var labels = RunPodPodDriver.LabelsOf(Assert.Single(await driver.ListPodsAsync(Timeout())));
        Assert.Equal(spec.Labels, labels);
    }

    [Fact]
    public async Task Inspect_RunningPod_StartedAtFromRunPodAndPublicTcpPortIsTheEndpoint()
    {
        var driver = Driver();
        var handle = await driver.StartAsync(Spec() with { Ports = [new PodPortMapping(8080, PodPortMapping.Tcp)] }, Timeout());

        var status = await driver.InspectAsync(handle, Timeout());

        Assert.Equal(PodState.Running, status.State);
        Assert.NotNull(status.StartedAt);
        Assert.True((DateTimeOffset.UtcNow - status.StartedAt.Value).Duration() < TimeSpan.FromMinutes(1), $"started at {status.StartedAt}");
        var mapping = Assert.Single(Fake.Pod(handle.PodId)!.Runtime!.Ports, p => p.PrivatePort == 8080);
        Assert.Equal(new PodEndpoint(mapping.Ip, mapping.PublicPort), status.Endpoint);
    }

    [Fact]
    public async Task Inspect_PodStartsAfterADelay_PendingThenRunningOnTheFakeClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var fake = await RunPodFake.StartAsync(time: clock);
        fake.StartDelay = TimeSpan.FromSeconds(90);
        var driver = RunPodTestDriver.Create(RunPodTestDriver.Options(fake));
        var handle = await driver.StartAsync(Spec(), Timeout());

        var created = await driver.InspectAsync(handle, Timeout());
        var desired = (await driver.GetPodAsync(handle.PodId, Timeout()))!.DesiredStatus;
        clock.Advance(TimeSpan.FromSeconds(91));
        var running = await driver.InspectAsync(handle, Timeout());

        Assert.Equal(PodState.Pending, created.State);
        Assert.Equal(RunPodStatuses.Created, desired);
        Assert.Equal(PodState.Running, running.State);
        Assert.Equal(1, (await driver.GetPodAsync(handle.PodId, Timeout()))!.Runtime!.UptimeInSeconds);
    }

    [Fact]
    public async Task Start_Spot_RentsInterruptableAtTheBid_OutbidIsExited_ResumeBidsAgain()
    {
        var driver = Driver();
        var handle = await driver.StartAsync(Spec() with { Placement = new PodPlacement(PodCloudType.Community, SpotBidPerGpu: 0.12m) }, Timeout());
        var pod = Fake.Pod(handle.PodId)!;
        Assert.True(pod.Interruptible);
        Assert.Equal(0.12, pod.CostPerHr, 3);
        Assert.Equal(1, Fake.Calls("podRentInterruptable"));

        Fake.Outbid(handle.PodId);
        var outbid = await driver.InspectAsync(handle, Timeout());
        await driver.ResumeAsync(handle, bidPerGpu: null, Timeout());
        var resumed = await driver.InspectAsync(handle, Timeout());

        Assert.Equal(PodState.Exited, outbid.State);
        Assert.Equal(ExitResult.Unknown, outbid.Exit);
        Assert.Equal(1, Fake.Calls("podBidResume"));
        Assert.Equal(PodState.Running, resumed.State);
    }

    [Fact]
    public async Task Start_SpotBidUnderTheMinimum_RunPodsMessageAndNoPod()
    {
        var error = await Assert.ThrowsAsync<PodDriverException>(() =>
            Driver().StartAsync(Spec() with { Placement = new PodPlacement(SpotBidPerGpu: 0.01m) }, Timeout()));

        Assert.Equal(PodFailureKind.Other, error.Kind);
        Assert.Contains("lower than the current minimum bid", error.Message, StringComparison.Ordinal);
        Assert.Empty(Fake.Pods);
    }

    [Fact]
    public async Task Start_NoCapacity_DistinctKindNotRetried_AnotherCloudTypeStillRents()
    {
        var driver = Driver();
        Fake.Faults.Drought(RunPodTestDriver.GpuType, "COMMUNITY");

        var error = await Assert.ThrowsAsync<PodDriverException>(() =>
            driver.StartAsync(Spec() with { Placement = new PodPlacement(PodCloudType.Community) }, Timeout()));
        var secure = await driver.StartAsync(Spec() with { Placement = new PodPlacement(PodCloudType.Secure) }, Timeout());

        Assert.Equal(PodFailureKind.NoCapacity, error.Kind);
        Assert.Contains(RunPodFakeFaults.NoInstancesMessage, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Fake.Calls("podFindAndDeployOnDemand"));
        Assert.Equal(secure.PodId, Assert.Single(Fake.Pods).Id);
    }

    [Fact]
    public async Task Start_SpecWithoutGpuTypeOrWithSecurity_UnsupportedSpecNamingTheField()
    {
        var driver = Driver();

        var noGpu = await Assert.ThrowsAsync<PodDriverException>(() => driver.StartAsync(Spec() with { Gpu = null }, Timeout()));
        var security = await Assert.ThrowsAsync<PodDriverException>(() => driver.StartAsync(Spec() with { Security = new PodSecurity(User: "1000") }, Timeout()));
        var command = await Assert.ThrowsAsync<PodDriverException>(() => driver.StartAsync(Spec() with { Image = null }, Timeout()));

        Assert.Equal(PodFailureKind.UnsupportedSpec, noGpu.Kind);
        Assert.Contains("gpu.type", noGpu.Message, StringComparison.Ordinal);
        Assert.Contains("security", security.Message, StringComparison.Ordinal);
        Assert.Contains("images", command.Message, StringComparison.Ordinal);
        Assert.Equal(0, Fake.Calls("podFindAndDeployOnDemand"));
    }

    [Fact]
    public async Task List_PodsOutOfBand_AreNotPoddles_AndAVanishedPodIsNotFound()
    {
        var driver = Driver();
        var handle = await driver.StartAsync(Spec(), Timeout());
        var other = Fake.AddOutOfBand("someone-elses", ["JUPYTER_PASSWORD=x"]);

        var everything = await driver.ListPodsAsync(Timeout());
        var poddles = await ListAsync(driver, new Dictionary<string, string> { [PodLabels.Id] = _runId });
        var all = await ListAsync(driver, new Dictionary<string, string>());
        Fake.Vanish(handle.PodId);
        var vanished = await driver.InspectAsync(handle, Timeout());
        var exit = await driver.WaitAsync(handle, Timeout());

        Assert.Equal(2, everything.Count);
        Assert.Null(RunPodPodDriver.LabelsOf(everything.Single(p => p.Id == other.Id)));
        Assert.Equal(handle.PodId, Assert.Single(poddles).PodId);
        Assert.DoesNotContain(all, h => h.PodId == other.Id);
        Assert.Equal(PodState.NotFound, vanished.State);
        Assert.Equal(ExitResult.Unknown, exit);
        await driver.DestroyAsync(handle, Timeout());
    }

    [Fact]
    public async Task AccountAndGpuTypes_BalanceSpendAndPricesFromRunPod()
    {
        var driver = Driver();
        await driver.StartAsync(Spec() with { Placement = new PodPlacement(PodCloudType.Secure) }, Timeout());

        var account = await driver.GetAccountAsync(Timeout());
        var types = await driver.GetGpuTypesAsync(2, Timeout());
        var health = await driver.CheckHealthAsync(Timeout());

        Assert.Equal(100, account.ClientBalance);
        Assert.Equal(0.25, account.CurrentSpendPerHr);
        var a4000 = Assert.Single(types, t => t.Id == RunPodTestDriver.GpuType);
        Assert.Equal(0.25, a4000.SecurePrice);
        Assert.Equal(0.09, a4000.LowestPrice?.MinimumBidPrice);
        Assert.True(health.Available, health.Detail);
        Assert.Contains("$0.250/h", health.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangedAt_JavaScriptDateOfRunPod_ReadsAsUtc()
    {
        var at = RunPodPodDriver.ChangedAt("Rented by User: Mon Dec 07 2026 21:39:02 GMT+0000 (Coordinated Universal Time)");

        Assert.Equal(new DateTimeOffset(2026, 12, 7, 21, 39, 2, TimeSpan.Zero), at);
        Assert.Null(RunPodPodDriver.ChangedAt("Rented by User"));
    }

    private RunPodPodDriver Driver() => RunPodTestDriver.Create(RunPodTestDriver.Options(Fake));

    private PodSpec Spec() => new(
        "gpu",
        new Dictionary<string, string> { [PodLabels.Owner] = "test", [PodLabels.Kind] = "worker", [PodLabels.Id] = _runId },
        "runpod/base:0.6.2-cuda12.2.0",
        ["sh", "-c", "echo it's"],
        null,
        new Dictionary<string, string> { ["GREETING"] = "hello" },
        8080,
        new PodResources(2000, 4096))
    {
        Gpu = new PodGpu(1, RunPodTestDriver.GpuType),
    };

    private static async Task<List<PodHandle>> ListAsync(RunPodPodDriver driver, IReadOnlyDictionary<string, string> labels)
    {
        var handles = new List<PodHandle>();
        await foreach (var handle in driver.ListAsync(labels, Timeout()))
        {
            handles.Add(handle);
        }

        return handles;
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
