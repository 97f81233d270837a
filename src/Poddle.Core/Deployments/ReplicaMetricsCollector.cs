using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>One metrics sample of a replica: CPU in millicores, memory in bytes, network rates in bytes per second (null when unknown).</summary>
public sealed record ReplicaSample(
    DateTimeOffset Timestamp,
    double CpuMillicores,
    long MemoryBytes,
    long? MemoryLimitBytes,
    double? NetworkRxBytesPerSecond,
    double? NetworkTxBytesPerSecond);

/// <summary>One replica's samples, oldest first.</summary>
public sealed record ReplicaSeriesSnapshot(Guid ReplicaId, IReadOnlyList<ReplicaSample> Samples);

/// <summary>
/// Samples every running replica's counters (<see cref="IPodStatsSource"/>) every <see cref="Interval"/> into an
/// in-memory ring of <see cref="History"/> per replica, turning cumulative CPU nanoseconds into millicores and
/// cumulative network bytes into rates between two samples. Serves the metrics endpoints and their stream. Memory only:
/// history starts again after a restart, and each server keeps what it sampled (every server samples, so any of them
/// answers). A failing iteration is logged and the loop goes on.
/// </summary>
public sealed partial class ReplicaMetricsCollector(
    IServiceScopeFactory scopes,
    PodDriverRegistry drivers,
    TimeProvider clock,
    ILogger<ReplicaMetricsCollector> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan History = TimeSpan.FromHours(1);
    private static readonly int Capacity = (int)(History / Interval);

    private readonly ConcurrentDictionary<Guid, ReplicaSeries> _series = new();
    private readonly ConcurrentDictionary<Channel<(Guid DeploymentId, Guid ReplicaId, ReplicaSample Sample)>, byte> _subscribers = new();

    /// <summary>Each replica's samples, oldest first, for the given replicas.</summary>
    public IReadOnlyList<ReplicaSeriesSnapshot> GetHistory(IEnumerable<Guid> replicaIds) =>
        [.. replicaIds.Select(id => new ReplicaSeriesSnapshot(id, _series.TryGetValue(id, out var series) ? series.Snapshot() : []))];

    /// <summary>New samples of one deployment, as they are taken, until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<(Guid ReplicaId, ReplicaSample Sample)> FollowAsync(Guid deploymentId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<(Guid, Guid, ReplicaSample)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        _subscribers[channel] = 0;
        try
        {
            await foreach (var (deployment, replica, sample) in channel.Reader.ReadAllAsync(cancellationToken))
            {
                if (deployment == deploymentId)
                {
                    yield return (replica, sample);
                }
            }
        }
        finally
        {
            _subscribers.TryRemove(channel, out _);
        }
    }

    /// <summary>Takes one sample of every running replica.</summary>
    public async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        List<Replica> replicas;
        await using (var scope = scopes.CreateAsyncScope())
        {
            replicas = await scope.ServiceProvider.GetRequiredService<PoddleDbContext>().Replicas.AsNoTracking()
                .Where(r => r.Phase == ReplicaPhase.Running && r.PodId != null)
                .ToListAsync(cancellationToken);
        }

        await using var podScope = scopes.CreateAsyncScope();
        var pods = podScope.ServiceProvider.GetRequiredService<ReplicaPods>();
        foreach (var replica in replicas)
        {
            if (drivers.Find(replica.Driver) is not IPodStatsSource stats || await pods.HandleAsync(replica, cancellationToken) is not { } handle)
            {
                continue;
            }

            try
            {
                if (await stats.GetStatsAsync(handle, cancellationToken) is not { } counters)
                {
                    continue;
                }

                var series = _series.GetOrAdd(replica.Id, _ => new ReplicaSeries(Capacity));
                if (series.Add(counters) is { } sample)
                {
                    foreach (var subscriber in _subscribers.Keys)
                    {
                        subscriber.Writer.TryWrite((replica.DeploymentId, replica.Id, sample));
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSampleFailed(logger, ex, replica.Id);
            }
        }

        // Replicas gone for longer than the history keep nothing.
        var cutoff = clock.GetUtcNow() - History;
        foreach (var (id, series) in _series)
        {
            if (series.LastAt < cutoff)
            {
                _series.TryRemove(id, out _);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ControllerLoop.RunAsync(SampleOnceAsync, () => Interval, clock, ex => LogIterationFailed(logger, ex), stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics: sampling replica {ReplicaId} failed")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception, Guid replicaId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Metrics collector: iteration failed; retrying next interval")]
    private static partial void LogIterationFailed(ILogger logger, Exception exception);

    /// <summary>A ring of one replica's samples; rates need the previous counters.</summary>
    private sealed class ReplicaSeries(int capacity)
    {
        private readonly Queue<ReplicaSample> _samples = new();
        private readonly Lock _gate = new();
        private PodStats? _previous;

        public DateTimeOffset LastAt { get; private set; } = DateTimeOffset.MaxValue;

        /// <summary>Adds a sample from counters; null for the first one (no rate yet) or a repeated timestamp.</summary>
        public ReplicaSample? Add(PodStats counters)
        {
            lock (_gate)
            {
                var previous = _previous;
                _previous = counters;
                LastAt = counters.Timestamp;
                if (previous is null || counters.Timestamp <= previous.Timestamp || counters.CpuUsageNanoseconds < previous.CpuUsageNanoseconds)
                {
                    return null;
                }

                var seconds = (counters.Timestamp - previous.Timestamp).TotalSeconds;
                var millicores = (counters.CpuUsageNanoseconds - previous.CpuUsageNanoseconds) / 1e6 / seconds;
                var sample = new ReplicaSample(
                    counters.Timestamp,
                    Math.Round(millicores, 1),
                    counters.MemoryBytes,
                    counters.MemoryLimitBytes,
                    Rate(previous.NetworkRxBytes, counters.NetworkRxBytes, seconds),
                    Rate(previous.NetworkTxBytes, counters.NetworkTxBytes, seconds));
                _samples.Enqueue(sample);
                while (_samples.Count > capacity)
                {
                    _samples.Dequeue();
                }

                return sample;
            }
        }

        public IReadOnlyList<ReplicaSample> Snapshot()
        {
            lock (_gate)
            {
                return [.. _samples];
            }
        }

        private static double? Rate(long? before, long? after, double seconds) =>
            before is { } b && after is { } a && a >= b ? Math.Round((a - b) / seconds, 1) : null;
    }
}
