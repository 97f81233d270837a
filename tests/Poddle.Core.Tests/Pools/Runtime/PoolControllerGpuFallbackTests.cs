using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Accounts;
using Poddle.Core.Agents;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Core.Pools.Gpus;
using Poddle.Core.Pools.Runtime;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools.Runtime;

/// <summary>
/// The controller's capacity fallback (<see cref="PoolControllerStep"/>, the real one, on a real database and the fake
/// clock) with a remote GPU driver whose provider has droughts: the next GPU type, then the next cloud type; one event
/// naming every try when none had a machine, and an exponential back-off before the next try.
/// </summary>
public sealed class PoolControllerGpuFallbackTests
{
    private const string A100 = "NVIDIA A100 80GB PCIe";
    private const string A4000 = "NVIDIA RTX A4000";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Spawn_FirstGpuTypeWithoutCapacity_StartsOnTheNextTypeThenCloudAndRecordsTheFallback(DatabaseProvider provider)
    {
        await using var setup = await SetUpAsync(provider);
        setup.Driver.Drought(A100, PodCloudType.Secure);
        setup.Driver.Drought(A4000, PodCloudType.Secure);

        await setup.SubmitAsync();
        await setup.PassAsync();

        // A100 then A4000 in the secure cloud, then A100 in the community cloud: started there.
        Assert.Equal(
            [(A100, PodCloudType.Secure), (A4000, PodCloudType.Secure), (A100, PodCloudType.Community)],
            setup.Driver.Attempts.Select(s => (s.Gpu!.Type!, s.Placement.CloudType)).ToList());
        var started = Assert.Single(setup.Driver.Started);
        Assert.Equal((2, 0.4m, 40, 100, "/workspace"), (started.Gpu!.Count, started.Placement.SpotBidPerGpu!.Value, started.Storage!.ContainerDiskGb!.Value, started.Storage.VolumeGb!.Value, started.Storage.VolumeMountPath!));
        var events = await setup.CapacityEventsAsync();
        var fellBack = Assert.Single(events);
        Assert.Equal(CapacityReasons.FellBack, fellBack.Reason);
        Assert.Equal($"started on {A100} (community); no capacity at {A100} (secure), {A4000} (secure)", fellBack.Message);

        // A remote driver's worker reaches the server's own address, never the agent listener.
        Assert.StartsWith("http://127.0.0.1:8080/v2/", started.Env[PoolWorkerEnvironment.GetJob], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Spawn_NoCapacityAnywhere_RecordsOneEventNamingEveryTryAndBacksOffExponentially(DatabaseProvider provider)
    {
        await using var setup = await SetUpAsync(provider);
        foreach (var type in new[] { A100, A4000 })
        {
            setup.Driver.Drought(type, PodCloudType.Secure);
            setup.Driver.Drought(type, PodCloudType.Community);
        }

        await setup.SubmitAsync();
        await setup.PassAsync();
        Assert.Equal(4, setup.Driver.Attempts.Count);
        Assert.Empty(setup.Driver.Started);
        var exhausted = Assert.Single(await setup.CapacityEventsAsync());
        Assert.Equal(CapacityReasons.Exhausted, exhausted.Reason);
        Assert.Equal(
            $"no capacity at runpod for any of the pool's GPU placements: {A100} (secure), {A4000} (secure), {A100} (community), {A4000} (community); next try in 30 s",
            exhausted.Message);

        // Not a hot loop: passes within the back-off try nothing; each failure in a row doubles it (30 s, 60 s, 120 s).
        await setup.PassAsync();
        setup.Advance(TimeSpan.FromSeconds(29));
        await setup.PassAsync();
        Assert.Equal(4, setup.Driver.Attempts.Count);
        setup.Advance(TimeSpan.FromSeconds(1));
        await setup.PassAsync();
        Assert.Equal(8, setup.Driver.Attempts.Count);
        Assert.EndsWith("next try in 60 s", (await setup.CapacityEventsAsync())[0].Message, StringComparison.Ordinal);
        setup.Advance(TimeSpan.FromSeconds(59));
        await setup.PassAsync();
        Assert.Equal(8, setup.Driver.Attempts.Count);
        setup.Advance(TimeSpan.FromSeconds(1));
        await setup.PassAsync();
        Assert.Equal(12, setup.Driver.Attempts.Count);
        Assert.EndsWith("next try in 120 s", (await setup.CapacityEventsAsync())[0].Message, StringComparison.Ordinal);

        // The drought ends: the next try after the back-off starts a worker, and the back-off is over.
        setup.Driver.EndDroughts();
        setup.Advance(TimeSpan.FromSeconds(120));
        await setup.PassAsync();
        Assert.Single(setup.Driver.Started);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_GpuOnADriverWithoutGpus_IsRefusedWithTheCapabilityErrorAndBadFieldsAreNamed(DatabaseProvider provider)
    {
        await using var pools = await PoolsHarness.CreateAsync(provider);
        var owner = await pools.CreateUserAsync("bob", UserTier.Pro);

        var onSandbox = await pools.CreatePoolAsync(owner, new NewPool("cpu", Command: ["python3", "w.py"], Driver: "sandbox", Gpu: new PoolGpuInput([A4000])));
        Assert.False(onSandbox.IsSuccess);
        Assert.Contains("the sandbox driver cannot give a pod GPUs (gpu.count)", Assert.Single(onSandbox.Error!.Fields![PoolFields.Gpu.Value]), StringComparison.Ordinal);

        var disk = await pools.CreatePoolAsync(owner, new NewPool("cpu", Command: ["python3", "w.py"], Driver: "sandbox", Storage: new PoolStorageInput(ContainerDiskGb: 10)));
        Assert.Contains("storage.containerDiskGb", Assert.Single(disk.Error!.Fields![PoolFields.Storage.Value]), StringComparison.Ordinal);

        var bad = await pools.CreatePoolAsync(owner, new NewPool(
            "gpus",
            Image: "ghcr.io/example/worker:1",
            Driver: "runpod",
            Gpu: new PoolGpuInput([A4000, " ", A4000], 9, ["secure", "moon"], -1),
            Storage: new PoolStorageInput(0, 5000, "relative/path")));
        var fields = bad.Error!.Fields!;
        Assert.Equal(
            ["Gpu.CloudTypes[1]", "Gpu.Count", "Gpu.SpotBid", "Gpu.Types[1]", "Gpu.Types[2]", "Storage.ContainerDiskGb", "Storage.VolumeGb", "Storage.VolumeMountPath"],
            fields.Keys.Order(StringComparer.Ordinal));
    }

    private static async Task<Setup> SetUpAsync(DatabaseProvider provider)
    {
        var pools = await PoolsHarness.CreateAsync(provider);
        var address = pools.Services.GetRequiredService<AgentServerAddress>();
        address.SetListenAddresses(["http://127.0.0.1:8080"]);
        address.UseAgentListener(17123);
        var owner = await pools.CreateUserAsync("alice", UserTier.Pro);
        var created = await pools.CreatePoolAsync(owner, new NewPool(
            "gpus",
            Image: "ghcr.io/example/worker:1",
            Driver: "runpod",
            MinWorkers: 0,
            MaxWorkers: 1,
            Gpu: new PoolGpuInput([A100, A4000], 2, ["secure", "community"], 0.4m),
            Storage: new PoolStorageInput(40, 100, "/workspace")));
        Assert.True(created.IsSuccess, created.Error?.Message);
        var driver = pools.Services.GetServices<IPodDriver>().OfType<GpuTestPodDriver>().Single();
        return new Setup(pools, owner, created.Value.Pool.Id, driver);
    }

    private sealed record Setup(PoolsHarness Pools, Guid Owner, Guid Pool, GpuTestPodDriver Driver) : IAsyncDisposable
    {
        public async Task SubmitAsync()
        {
            var job = await Pools.WithAsync<Result<PoolJob>, PoolJobService>(s => s.SubmitAsync(Owner, Pool, new PoolJobSubmission("""{"n":1}"""), CancellationToken.None));
            Assert.True(job.IsSuccess, job.Error?.Message);
        }

        public Task<DateTimeOffset?> PassAsync() =>
            Pools.WithAsync<DateTimeOffset?, PoolControllerStep>(s => s.RunAsync(Pool, new HashSet<string>(), new HashSet<string>(), DateTimeOffset.MinValue, CancellationToken.None));

        public void Advance(TimeSpan span) => Pools.Clock.Advance(span);

        /// <summary>The pool's capacity events, newest first.</summary>
        public async Task<List<PoolEvent>> CapacityEventsAsync()
        {
            await using var db = Pools.Database.CreateContext();
            return [.. (await db.Set<PoolEvent>().AsNoTracking().Where(e => e.PoolId == Pool && e.Kind == PoolEventKinds.Capacity).ToListAsync()).OrderByDescending(e => e.At)];
        }

        public ValueTask DisposeAsync() => Pools.DisposeAsync();
    }
}
