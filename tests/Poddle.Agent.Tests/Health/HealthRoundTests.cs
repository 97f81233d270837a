using Poddle.Agent.Tuning;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Poddle.Agent.Gpu;
using Poddle.Agent.Health;
using Poddle.Agent.Tests.Fixtures;
using Poddle.Contracts;

namespace Poddle.Agent.Tests.Health;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (IAsyncLifetime).")]
public sealed class HealthRoundTests : IAsyncLifetime
{
    private static readonly PodEnvironment Pod = new("runpod", "pod-abc", "host-1");
    private readonly TempTree _proc = new("poddle-proc-");
    private readonly TempTree _cgroup = new("poddle-cgroup-");
    private HealthEndpoint _app = null!;

    public async Task InitializeAsync()
    {
        _proc.Write("self/cgroup", "0::/\n").Stat(user: 100, system: 100, idle: 800).Meminfo(totalKb: 1_000_000, availableKb: 500_000);
        _app = await HealthEndpoint.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _proc.Dispose();
        _cgroup.Dispose();
    }

    /// <summary>Options over the temp trees: only what a test changes varies; no disk; no nvidia-smi.</summary>
    private HealthCheckOptions Options(Uri? url = null) => new()
    {
        AppUrl = url,
        AppBodyContains = "healthy",
        AppTimeout = TimeSpan.FromSeconds(10), // a fresh Kestrel's first answer on a busy 2-core machine can be slow
        AppRetryDelay = TimeSpan.FromMilliseconds(50),
        ProcRoot = _proc.Root,
        CgroupRoot = _cgroup.Root,
        DiskPaths = [],
        NvidiaSmiCommand = Path.Combine(_proc.Root, "nvidia-smi"),
        CpuSampleInterval = TimeSpan.Zero,
    };

    private static AgentCheckResult Check(AgentHealthReport report, string name) => Assert.Single(report.Checks, c => c.Name == name);

    [Fact]
    public async Task App_Healthy_OneRequestAndTheReportCarriesPodAndApp()
    {
        using var round = new HealthRound(Options(_app.Url), identity: Pod);
        var appState = new AgentAppState("running", 4242, 1, null, DateTimeOffset.UnixEpoch);

        var report = await round.RunAsync(appState, CancellationToken.None);

        var app = Check(report, "app");
        Assert.Equal(HealthStatus.Healthy, app.Status);
        Assert.Equal("ms", app.Unit);
        Assert.True(app.Value > 0);
        Assert.Equal(1, _app.Requests);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(("runpod", "pod-abc", "host-1"), (report.Environment, report.PodId, report.Hostname));
        Assert.Same(appState, report.App);
        Assert.Equal(HealthStatus.Skipped, Check(report, "cpu").Status); // the temp /proc/stat did not move
        Assert.Equal(50, Check(report, "memory").Value);
        Assert.True(DateTimeOffset.UtcNow - report.Timestamp < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task App_500_RetriedOnceThenDegraded()
    {
        _app.Mode = HealthMode.ServerError;
        using var round = new HealthRound(Options(_app.Url), identity: Pod);

        var report = await round.RunAsync(null, CancellationToken.None);

        var app = Check(report, "app");
        Assert.Equal(HealthStatus.Degraded, app.Status);
        Assert.StartsWith($"HTTP 500 from {_app.Url}", app.Message, StringComparison.Ordinal);
        Assert.Equal(2, _app.Requests);
        Assert.Equal(HealthStatus.Degraded, report.Status);
    }

    [Fact]
    public async Task App_Hanging_TimeoutCountsAsAFailure()
    {
        _app.Mode = HealthMode.Hang;
        var options = Options(_app.Url);
        options.AppTimeout = TimeSpan.FromMilliseconds(300);
        using var round = new HealthRound(options, identity: Pod);
        var started = DateTime.UtcNow;

        var report = await round.RunAsync(null, CancellationToken.None);

        var app = Check(report, "app");
        Assert.Equal(HealthStatus.Degraded, app.Status);
        Assert.StartsWith($"no answer from {_app.Url} within 0.3 s", app.Message, StringComparison.Ordinal);
        Assert.InRange(app.Value ?? 0, 250, 3000);
        Assert.Equal(2, _app.Requests);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task App_BodyWithoutTheExpectedText_Fails()
    {
        _app.Mode = HealthMode.WrongBody;
        using var round = new HealthRound(Options(_app.Url), identity: Pod);

        var app = Check(await round.RunAsync(null, CancellationToken.None), "app");

        Assert.Equal(HealthStatus.Degraded, app.Status);
        Assert.Contains("the body does not contain \"healthy\"", app.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_BreaksOffItsAnswer_AFailureNotAnException()
    {
        _app.Mode = HealthMode.BreakOff;
        using var round = new HealthRound(Options(_app.Url), identity: Pod);

        var app = Check(await round.RunAsync(null, CancellationToken.None), "app");

        Assert.Equal(HealthStatus.Degraded, app.Status);
        // Depending on when the drop is seen it surfaces as an HTTP failure or as an I/O error on the body: either way a failed round.
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(_app.Url.ToString())} (unreachable|broke off its answer): ", app.Message);
        Assert.Equal(2, _app.Requests);
    }

    [Fact]
    public async Task App_ThreeFailedRoundsInARow_Critical_ThenRecovers()
    {
        _app.Mode = HealthMode.ServerError;
        using var round = new HealthRound(Options(_app.Url), identity: Pod);

        var statuses = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await round.RunAsync(null, CancellationToken.None)).Status);
        }

        var third = round.ConsecutiveAppFailures;
        _app.Mode = HealthMode.Healthy;
        var recovered = await round.RunAsync(null, CancellationToken.None);

        Assert.Equal([HealthStatus.Degraded, HealthStatus.Degraded, HealthStatus.Critical], statuses);
        Assert.Equal(3, third);
        Assert.Equal(HealthStatus.Healthy, recovered.Status);
        Assert.Equal(HealthStatus.Healthy, Check(recovered, "app").Status);
        Assert.Equal(0, round.ConsecutiveAppFailures);
    }

    [Fact]
    public async Task App_FirstAttemptFails_RetrySucceeds_Healthy()
    {
        _app.FailNext = 1;
        using var round = new HealthRound(Options(_app.Url), identity: Pod);

        var app = Check(await round.RunAsync(null, CancellationToken.None), "app");

        Assert.Equal(HealthStatus.Healthy, app.Status);
        Assert.Contains("after a failed attempt: HTTP 500", app.Message, StringComparison.Ordinal);
        Assert.Equal(2, _app.Requests);
        Assert.Equal(0, round.ConsecutiveAppFailures);
    }

    [Fact]
    public async Task App_NothingListening_ConnectionRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var round = new HealthRound(Options(new Uri($"http://127.0.0.1:{port}/health")), identity: Pod);

        var app = Check(await round.RunAsync(null, CancellationToken.None), "app");

        Assert.Equal(HealthStatus.Degraded, app.Status);
        Assert.StartsWith($"http://127.0.0.1:{port}/health unreachable: connection refused", app.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thresholds_MemoryAndCpu_DegradedThenCritical_OverallIsTheWorst()
    {
        using var round = new HealthRound(Options(), identity: Pod);
        _proc.Meminfo(totalKb: 1_000_000, availableKb: 100_000); // 90% ≥ 85%

        var first = await round.RunAsync(null, CancellationToken.None);
        _proc.Stat(user: 500, system: 400, idle: 900).Meminfo(totalKb: 1_000_000, availableKb: 30_000); // CPU +700 busy of +800; memory 97%
        var second = await round.RunAsync(null, CancellationToken.None);

        var memory = Check(first, "memory");
        Assert.Equal((HealthStatus.Degraded, 90.0, 85.0, "%"), (memory.Status, memory.Value!.Value, memory.Threshold!.Value, memory.Unit));
        Assert.EndsWith(": 90% ≥ 85%", memory.Message, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, first.Status);
        var cpu = Check(second, "cpu");
        Assert.Equal((HealthStatus.Degraded, 87.5, 80.0), (cpu.Status, cpu.Value!.Value, cpu.Threshold!.Value));
        Assert.Equal(HealthStatus.Critical, Check(second, "memory").Status);
        Assert.EndsWith(": 97% ≥ 95%", Check(second, "memory").Message, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Critical, second.Status);
    }

    [Fact]
    public async Task Disk_PerPath_AndAMissingPathSkipped()
    {
        var options = Options();
        options.DiskPaths = ["/tmp", "/no/such/path"];
        options.DiskPercent = 0.01;
        options.CriticalDiskPercent = 0.01;
        using var round = new HealthRound(options, identity: Pod);

        var report = await round.RunAsync(null, CancellationToken.None);

        var tmp = Check(report, "disk:/tmp");
        Assert.Equal(SystemMeters.ReadDisk("/tmp")!.Percent, tmp.Value!.Value, 0.5);
        Assert.Equal(HealthStatus.Critical, tmp.Status);
        Assert.Equal((HealthStatus.Skipped, "/no/such/path does not exist"), (Check(report, "disk:/no/such/path").Status, Check(report, "disk:/no/such/path").Message));
        Assert.Equal(HealthStatus.Critical, report.Status);
    }

    [Fact]
    public async Task Gpu_NvidiaSmiMissing_SkippedAndNotCounted()
    {
        using var round = new HealthRound(Options(), identity: Pod);

        var report = await round.RunAsync(null, CancellationToken.None);

        var gpu = Check(report, "gpu");
        Assert.Equal(HealthStatus.Skipped, gpu.Status);
        Assert.Equal($"{Path.Combine(_proc.Root, "nvidia-smi")} not found", gpu.Message);
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    [Fact]
    public async Task Gpu_RealNvidiaSmiProcessPrintingTheH100Capture_FourChecksPerGpu()
    {
        var options = Options();
        options.NvidiaSmiCommand = GpuFixtures.FakeNvidiaSmi(_proc.Root);
        using var round = new HealthRound(options, identity: Pod);

        var report = await round.RunAsync(null, CancellationToken.None);

        var utilization = Check(report, "gpu0.utilization");
        var memory = Check(report, "gpu0.memory");
        var temperature = Check(report, "gpu0.temperature");
        var power = Check(report, "gpu0.power");
        Assert.Equal((HealthStatus.Healthy, 0.0, (double?)null), (utilization.Status, utilization.Value!.Value, utilization.Threshold));
        Assert.Equal("NVIDIA H100 80GB HBM3", utilization.Message);
        Assert.Equal((HealthStatus.Healthy, 0.0, 95.0, "0 MiB of 81559 MiB"), (memory.Status, memory.Value!.Value, memory.Threshold!.Value, memory.Message));
        Assert.Equal((HealthStatus.Healthy, 43.0, 85.0, "C"), (temperature.Status, temperature.Value!.Value, temperature.Threshold!.Value, temperature.Unit));
        Assert.Equal((HealthStatus.Healthy, 104.3, 686.0, "W", "104.3 W of a 700 W limit"), (power.Status, power.Value!.Value, power.Threshold!.Value, power.Unit, power.Message));
        Assert.DoesNotContain(report.Checks, c => c.Name == "gpu");
    }

    [Fact]
    public async Task Gpu_ThresholdsApplyToTheCapture()
    {
        var options = Options();
        options.NvidiaSmiCommand = GpuFixtures.FakeNvidiaSmi(_proc.Root);
        options.GpuTemperatureC = 40;
        options.CriticalGpuTemperatureC = 43;
        options.GpuPowerPercentOfLimit = 10; // 70 W of 700 W
        options.GpuUtilizationPercent = 50;
        using var round = new HealthRound(options, identity: Pod);

        var report = await round.RunAsync(null, CancellationToken.None);

        Assert.Equal(HealthStatus.Critical, Check(report, "gpu0.temperature").Status);
        Assert.EndsWith("43C ≥ 43C", Check(report, "gpu0.temperature").Message, StringComparison.Ordinal);
        Assert.Equal((HealthStatus.Degraded, 70.0), (Check(report, "gpu0.power").Status, Check(report, "gpu0.power").Threshold!.Value));
        Assert.Equal((HealthStatus.Healthy, 50.0), (Check(report, "gpu0.utilization").Status, Check(report, "gpu0.utilization").Threshold!.Value));
        Assert.Equal(HealthStatus.Critical, report.Status);
    }

    [Fact]
    public async Task Gpu_NvidiaSmiFails_Critical()
    {
        var options = Options();
        options.NvidiaSmiCommand = GpuFixtures.FakeNvidiaSmi(_proc.Root, fixture: null, exitCode: 255, stderr: "Unable to determine the device handle for GPU0000:00:06.0: Unknown Error");
        using var round = new HealthRound(options, identity: Pod);

        var report = await round.RunAsync(null, CancellationToken.None);

        var gpu = Check(report, "gpu");
        Assert.Equal(HealthStatus.Critical, gpu.Status);
        Assert.Equal("nvidia-smi exited with 255: Unable to determine the device handle for GPU0000:00:06.0: Unknown Error", gpu.Message);
        Assert.Equal(HealthStatus.Critical, report.Status);
    }

    [Fact]
    public void Options_Invalid_NameEverySetting()
    {
        var options = Options(new Uri("ftp://x/"));
        options.AppTimeout = TimeSpan.Zero;
        options.CpuPercent = 90;
        options.CriticalCpuPercent = 50;
        options.AppFailuresCritical = 0;

        var ex = Assert.Throws<OptionsValidationException>(() => new HealthRound(options, identity: Pod));

        Assert.Contains(ex.Failures, f => f.StartsWith("AppUrl must", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("AppTimeout must", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("CriticalCpuPercent must be between CpuPercent (90)", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("AppFailuresCritical must", StringComparison.Ordinal));
        Assert.Empty(new HealthCheckOptions().Validate());
    }

    [Fact]
    public async Task RealMachine_DefaultOptions_MeasureCpuMemoryDiskAndGpuWhenPresent()
    {
        using var round = new HealthRound(new HealthCheckOptions());

        var report = await round.RunAsync(null, CancellationToken.None);

        Assert.InRange(Check(report, "cpu").Value ?? -1, 0, 100);
        Assert.InRange(Check(report, "memory").Value ?? -1, 0.1, 100);
        Assert.InRange(Check(report, "disk:/").Value ?? -1, 0.1, 100);
        Assert.Contains(report.Environment, new[] { "runpod", "kubernetes", "docker", "linux" });
        if (new NvidiaSmi().Locate() is null)
        {
            Assert.Equal("nvidia-smi not found", Check(report, "gpu").Message);
        }
        else
        {
            // A GPU machine: the real nvidia-smi answered for at least one GPU.
            Assert.Contains(report.Checks, c => c.Name == "gpu0.memory" && c.Value is not null);
        }
    }
}
