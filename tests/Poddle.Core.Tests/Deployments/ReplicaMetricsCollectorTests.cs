using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Tests.Deployments;

public sealed class ReplicaMetricsCollectorTests
{
    [Fact]
    public async Task Sample_CumulativeCounters_BecomeMillicoresAndRatesInABoundedRing()
    {
        await using var h = await ControllerHarness.CreateAsync(DatabaseProvider.Sqlite);
        var id = await h.CreateDeploymentAsync(1);
        await h.SettleAsync();
        var collector = h.Services.GetRequiredService<ReplicaMetricsCollector>();
        var replica = Assert.Single(await h.ReplicasAsync(id));
        var pod = h.PodOf(replica);

        await collector.SampleOnceAsync(CancellationToken.None);
        Assert.Empty(Assert.Single(collector.GetHistory([replica.Id])).Samples);

        // One core-second over five seconds is 200 millicores; 5000 bytes over five seconds is 1000 B/s.
        h.Clock.Advance(ReplicaMetricsCollector.Interval);
        pod.CpuNanoseconds += 1_000_000_000;
        pod.NetworkRxBytes += 5_000;
        pod.NetworkTxBytes += 500;
        pod.MemoryBytes = 64L * 1024 * 1024;
        await collector.SampleOnceAsync(CancellationToken.None);

        var sample = Assert.Single(Assert.Single(collector.GetHistory([replica.Id])).Samples);
        Assert.Equal((200d, 1000d, 100d), (sample.CpuMillicores, sample.NetworkRxBytesPerSecond!.Value, sample.NetworkTxBytesPerSecond!.Value));
        Assert.Equal((64L * 1024 * 1024, 128L * 1024 * 1024), (sample.MemoryBytes, sample.MemoryLimitBytes!.Value));

        // An hour of samples at most.
        for (var i = 0; i < 800; i++)
        {
            h.Clock.Advance(ReplicaMetricsCollector.Interval);
            pod.CpuNanoseconds += 10_000_000;
            await collector.SampleOnceAsync(CancellationToken.None);
        }

        var history = Assert.Single(collector.GetHistory([replica.Id])).Samples;
        Assert.Equal(720, history.Count);
        Assert.All(history, s => Assert.Equal(2d, s.CpuMillicores));
    }
}
