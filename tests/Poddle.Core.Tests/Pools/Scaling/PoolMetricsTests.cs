using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Pools.Scaling;

namespace Poddle.Core.Tests.Pools.Scaling;

public sealed class PoolMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddPoddlePoolScaling().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public PoolMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PoolMetrics.MeterName && instrument.Meter.Scope == _services.GetRequiredService<IMeterFactory>())
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    private PoolMetrics Metrics => _services.GetRequiredService<PoolMetrics>();

    [Fact]
    public void Decided_ReportsWorkersAndQueueAsGauges_UntilForgotten()
    {
        var decision = new ScalingDecision(DateTimeOffset.UnixEpoch, 3, 3, 0, ["w1"], ScalingRules.QueueEmpty,
            new ScalingInputs(0, TimeSpan.Zero, 1, 0, 2, 1, 1, 2, 2, 2), null);

        Metrics.Decided("p1", decision);
        _listener.RecordObservableInstruments();
        var reported = Last("active_workers_count", "p1");
        Metrics.Forget("p1");
        _measurements.Clear();
        _listener.RecordObservableInstruments();

        Assert.Equal(4, reported);
        Assert.DoesNotContain(_measurements, m => Equals(m.Tags.GetValueOrDefault("pool"), "p1"));
    }

    [Fact]
    public void Decided_CountsTheActionAndRule()
    {
        var decision = new ScalingDecision(DateTimeOffset.UnixEpoch, 3, 3, 0, ["w1"], ScalingRules.QueueEmpty,
            new ScalingInputs(0, TimeSpan.Zero, 1, 0, 2, 1, 0, 2, 2, 2), null);

        Metrics.Decided("p2", decision);

        var counted = Assert.Single(_measurements, m => m.Instrument == "scaling_decisions_total");
        Assert.Equal("drain", counted.Tags["action"]);
        Assert.Equal(ScalingRules.QueueEmpty, counted.Tags["rule"]);
    }

    [Fact]
    public void Configured_ReportsMaxWorkersAndTheQueueDelayTarget_OnlyForAQueueDelayPool()
    {
        Metrics.Configured("p4", new PoolScalingPolicy(0, 5, new QueueDelayScaler(TimeSpan.FromSeconds(4)), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));
        Metrics.Configured("p5", new PoolScalingPolicy(1, 3, new RequestCountScaler(10), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero));

        _listener.RecordObservableInstruments();

        Assert.Equal(5, Last("max_workers", "p4"));
        Assert.Equal(3, Last("max_workers", "p5"));
        Assert.Equal(4, Last("queue_delay_target_seconds", "p4"));
        Assert.DoesNotContain(_measurements, m => m.Instrument == "queue_delay_target_seconds" && Equals(m.Tags["pool"], "p5"));
    }

    [Fact]
    public void WorkersSpawnedAndJobFinished_RecordWithThePoolLabel()
    {
        Metrics.WorkersSpawned("p3", 0);
        Metrics.WorkersSpawned("p3", 3);
        Metrics.JobFinished("p3", "FAILED", TimeSpan.FromSeconds(1), null);

        Assert.Equal(3, Assert.Single(_measurements, m => m.Instrument == "workers_spawned_total").Value);
        Assert.Equal("FAILED", Assert.Single(_measurements, m => m.Instrument == "jobs_finished_total").Tags["outcome"]);
        Assert.Equal(1, Assert.Single(_measurements, m => m.Instrument == "job_queue_seconds").Value);
        Assert.DoesNotContain(_measurements, m => m.Instrument == "task_processing_seconds");
        Assert.All(_measurements, m => Assert.Equal("p3", m.Tags["pool"]));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private double Last(string instrument, string pool) =>
        _measurements.Last(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("pool"), pool)).Value;

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Add((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }
}
