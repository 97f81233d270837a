using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Core.Alerts;
using Poddle.Core.Deployments;
using Poddle.Core.Fleet;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Runtime;
using Poddle.Core.Pools.Scaling;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.RunPod;
using Poddle.Drivers.RunPod.Api;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Pods;
using Poddle.Testing;
using Poddle.Testing.RunPod;

namespace Poddle.Core.Tests.Fleet;

public sealed class FleetReconcilerTests
{
    [SandboxTheory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    [SupportedOSPlatform("linux")]
    public async Task RunOnce_SandboxPodWithoutRow_AlertedOnceAcrossPassesThenTerminatedAfterGrace_WorkersPodsUntouched(DatabaseProvider provider)
    {
        var root = Directory.CreateTempSubdirectory("poddle-fleet-");
        File.SetUnixFileMode(root.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var driver = new SandboxPodDriver(
            new SandboxOptions { WorkRoot = root.FullName, CgroupParent = "/poddle-fleet-tests", SandboxUid = 64531, SandboxGid = 64531, RuntimeDirectory = Path.Join(root.FullName, "runtime") },
            new SandboxPodOptions { StateDirectory = Path.Join(root.FullName, "pods"), PortRangeStart = 22000, PortRangeEnd = 22999, Network = SandboxPodNetworkMode.Host });
        var started = new List<PodHandle>();
        try
        {
            await using var h = await FleetHarness.CreateAsync(provider, driver);
            var (owner, pool) = await h.CreatePoolAsync();

            // A live worker with its pod; a worker whose row is written and whose pod is being started (no pod id yet).
            var liveId = "wlive" + Guid.NewGuid().ToString("N")[..8];
            var live = await StartAsync(driver, "live", await h.WorkerLabelsAsync(pool, liveId, owner), started);
            await h.AddWorkerAsync(pool, WorkerState.Idle, live.PodId, liveId);
            var spawningId = await h.AddWorkerAsync(pool, WorkerState.Spawning, podId: null);
            var spawning = await StartAsync(driver, "spawning", await h.WorkerLabelsAsync(pool, spawningId, owner), started);

            // Started directly through the driver with Poddle's labels and no row.
            var orphan = await StartAsync(driver, "orphan", await h.WorkerLabelsAsync(pool, "wnorow000000", owner), started);

            await h.Fleet.RunOnceAsync(CancellationToken.None);
            var alert = Assert.Single(h.Alerts.Raised);
            Assert.Equal((FleetReconciler.AlertKey("sandbox"), AlertLevel.Critical, (Guid?)null), (alert.Key, alert.Level, alert.OwnerId));
            Assert.Equal("1 orphaned pod (cost unknown)", alert.Title);
            Assert.Contains(orphan.PodId, alert.Message, StringComparison.Ordinal);
            Assert.Contains(await h.FleetEventsAsync(pool), e => e.Reason == FleetFindings.OrphanFound && e.Message.Contains(orphan.PodId, StringComparison.Ordinal));

            h.Clock.Advance(FleetHarness.Grace / 2);
            await h.Fleet.RunOnceAsync(CancellationToken.None);
            Assert.Single(h.Alerts.Raised);
            Assert.Empty(h.Alerts.Resolved);
            Assert.Equal(PodState.Running, (await driver.InspectAsync(orphan, CancellationToken.None)).State);

            h.Clock.Advance((FleetHarness.Grace / 2) + TimeSpan.FromSeconds(1));
            await h.Fleet.RunOnceAsync(CancellationToken.None);
            Assert.Equal(PodState.NotFound, (await driver.InspectAsync(orphan, CancellationToken.None)).State);
            Assert.Single(h.Alerts.Raised);
            Assert.Equal([FleetReconciler.AlertKey("sandbox")], h.Alerts.Resolved);
            Assert.Contains(await h.FleetEventsAsync(pool), e => e.Reason == FleetFindings.OrphanTerminated);
            Assert.Equal(PodState.Running, (await driver.InspectAsync(live, CancellationToken.None)).State);
            Assert.Equal(PodState.Running, (await driver.InspectAsync(spawning, CancellationToken.None)).State);

            // Long after the grace, the workers' pods are still theirs.
            h.Clock.Advance(FleetHarness.Grace * 3);
            await h.Fleet.RunOnceAsync(CancellationToken.None);
            Assert.Equal(PodState.Running, (await driver.InspectAsync(live, CancellationToken.None)).State);
            Assert.Equal(PodState.Running, (await driver.InspectAsync(spawning, CancellationToken.None)).State);
            Assert.Single(h.Alerts.Raised);
        }
        finally
        {
            foreach (var pod in started)
            {
                await driver.DestroyAsync(pod, CancellationToken.None);
            }

            await driver.DisposeAsync();
            root.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunOnce_RunPodOutOfBandPoddlePods_AlertTitleSaysCountAndCostPerHour_UnmanagedPodNeverTouched(DatabaseProvider provider)
    {
        await using var fake = await RunPodFake.StartAsync();
        await using var h = await FleetHarness.CreateAsync(provider, RunPodDriver(fake));
        var installation = await h.InstallationAsync();
        var a4000 = fake.AddOutOfBand("poddle-deployment-x-web", [Labels(installation, ReplicaPods.PodKind)]);
        var rtx4090 = fake.AddOutOfBand("poddle-pool-worker-y-w1", [Labels(installation, PoolWorkerPods.PodKind)], gpuTypeId: "NVIDIA GeForce RTX 4090");
        var unmanaged = fake.AddOutOfBand("someone-elses", ["JUPYTER_PASSWORD=x"]);
        var foreign = fake.AddOutOfBand("poddle-deployment-z-web", [Labels("another-installation", ReplicaPods.PodKind)]);

        await h.Fleet.RunOnceAsync(CancellationToken.None);

        var alert = Assert.Single(h.Alerts.Raised);
        var cost = (decimal)a4000.CostPerHr + (decimal)rtx4090.CostPerHr;
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"2 orphaned pods costing ${cost:0.00}/hr"), alert.Title);
        Assert.Equal("2 orphaned pods costing $0.94/hr", alert.Title);

        h.Clock.Advance(FleetHarness.Grace + TimeSpan.FromSeconds(1));
        await h.Fleet.RunOnceAsync(CancellationToken.None);

        Assert.Null(fake.Pod(a4000.Id));
        Assert.Null(fake.Pod(rtx4090.Id));
        Assert.Equal("RUNNING", fake.Pod(unmanaged.Id)?.DesiredStatus);
        Assert.Equal("RUNNING", fake.Pod(foreign.Id)?.DesiredStatus);
        Assert.Single(h.Alerts.Raised);
        Assert.Equal([FleetReconciler.AlertKey("runpod")], h.Alerts.Resolved);
    }

    [Fact]
    public async Task RunOnce_TerminateOrphansOff_AlertsButNeverTerminates()
    {
        await using var fake = await RunPodFake.StartAsync();
        await using var h = await FleetHarness.CreateAsync(DatabaseProvider.Sqlite, RunPodDriver(fake), terminate: false);
        var orphan = fake.AddOutOfBand("poddle-deployment-x-web", [Labels(await h.InstallationAsync(), ReplicaPods.PodKind)]);

        await h.Fleet.RunOnceAsync(CancellationToken.None);
        h.Clock.Advance(FleetHarness.Grace * 5);
        await h.Fleet.RunOnceAsync(CancellationToken.None);

        Assert.Equal("1 orphaned pod costing $0.25/hr", Assert.Single(h.Alerts.Raised).Title);
        Assert.Equal("RUNNING", fake.Pod(orphan.Id)?.DesiredStatus);
        Assert.Equal(0, fake.Calls("podTerminate"));
    }

    [Fact]
    public async Task RunOnce_IdleWorkersRunPodPodVanished_FindingEventAndThePoolIsWoken()
    {
        await using var fake = await RunPodFake.StartAsync();
        var driver = RunPodDriver(fake);
        await using var h = await FleetHarness.CreateAsync(DatabaseProvider.Sqlite, driver);
        var (owner, pool) = await h.CreatePoolAsync();
        var workerId = "wvanish00000";
        var pod = await driver.StartAsync(new PodSpec("w", await h.WorkerLabelsAsync(pool, workerId, owner), "runpod/worker:1", null, null, new Dictionary<string, string>(), null, new PodResources(1000, 1024)) { Gpu = new PodGpu(1, "NVIDIA RTX A4000") }, CancellationToken.None);
        await h.AddWorkerAsync(pool, WorkerState.Idle, pod.PodId, workerId);
        var woken = new List<Guid>();
        h.Services.GetRequiredService<PoolJobNotifier>().QueueChanged += woken.Add;
        fake.Vanish(pod.PodId);

        await h.Fleet.RunOnceAsync(CancellationToken.None);

        Assert.Contains(await h.FleetEventsAsync(pool), e => e.Reason == FleetFindings.WorkerPodMissing && e.WorkerId == workerId);
        Assert.Equal([pool], woken);
        Assert.Empty(h.Alerts.Raised);
    }

    private static string Labels(string installation, string kind) =>
        "PODDLE_LABELS=" + JsonSerializer.Serialize(new Dictionary<string, string>
        {
            [PodLabels.Owner] = installation,
            [PodLabels.Kind] = kind,
            [PodLabels.Id] = Guid.NewGuid().ToString("N"),
            [PodLabels.Replica] = Guid.NewGuid().ToString("N"),
        });

    private static RunPodPodDriver RunPodDriver(RunPodFake fake)
    {
        var options = new RunPodDriverOptions
        {
            Endpoint = fake.GraphQLUrl,
            ApiKey = fake.ApiKey,
            CallTimeout = TimeSpan.FromSeconds(5),
            MaxRetries = 3,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
        var client = new RunPodGraphQLClient(new HttpClient(), options, new RunPodCircuits(NullLogger<RunPodCircuits>.Instance), NullLogger<RunPodGraphQLClient>.Instance, TimeProvider.System);
        return new RunPodPodDriver(client, options, NullLogger<RunPodPodDriver>.Instance, TimeProvider.System);
    }

    [SupportedOSPlatform("linux")]
    private static async Task<PodHandle> StartAsync(SandboxPodDriver driver, string name, Dictionary<string, string> labels, List<PodHandle> started)
    {
        var pod = await driver.StartAsync(new PodSpec(name, labels, null, ["/bin/sh", "-c", "sleep 600"], null, new Dictionary<string, string>(), null, new PodResources(100, 64)), CancellationToken.None);
        started.Add(pod);
        return pod;
    }
}
