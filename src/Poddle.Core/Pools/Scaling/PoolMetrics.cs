using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// Worker-pool metrics on the .NET Meter "Poddle.Pools", exported at /metrics as <c>poddle_pools_*</c>, every series
/// labelled by <c>pool</c>: the seed metrics <c>workers_spawned_total</c> (workers started),
/// <c>task_processing_seconds</c> (a histogram of job execution time) and <c>active_workers_count</c> (live workers),
/// plus workers by state, queue depth, oldest queued job's age, job outcomes, job queue time (a histogram), scaling
/// decisions and failed workers, and the pool's limits (<c>max_workers</c>, <c>queue_delay_target_seconds</c>) so that
/// alert rules can compare against each pool's own setting (deploy/prometheus). The wiring calls the methods; the gauges
/// hold the last value it reported and are read at each scrape. Pool ids are the label values (never names, which are
/// user text).
/// </summary>
public sealed class PoolMetrics : IDisposable
{
    public const string MeterName = "Poddle.Pools";

    /// <summary>Bucket bounds of the seconds histograms: from a no-op job (milliseconds) to an hour-long GPU job.</summary>
    internal static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Meter _meter;
    private readonly Counter<long> _spawned;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _jobs;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _processing;
    private readonly Histogram<double> _queued;
    private readonly ConcurrentDictionary<string, PoolGauges> _gauges = new(StringComparer.Ordinal);

    public PoolMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        _spawned = _meter.CreateCounter<long>("workers_spawned_total", description: "Workers the pool started");
        _failed = _meter.CreateCounter<long>("workers_failed_total", description: "Workers that failed (start failure, exit, silence), by reason");
        _jobs = _meter.CreateCounter<long>("jobs_finished_total", description: "Jobs finished, by outcome (COMPLETED, FAILED, CANCELLED, TIMED_OUT)");
        _decisions = _meter.CreateCounter<long>("scaling_decisions_total", description: "Scaling decisions, by rule and action (spawn, drain, none)");
        _processing = _meter.CreateHistogram("task_processing_seconds", "s", "Job execution time on a worker", advice: buckets);
        _queued = _meter.CreateHistogram("job_queue_seconds", "s", "Time a job waited in the queue for a worker", advice: buckets);
        _meter.CreateObservableGauge("active_workers_count", () => Gauge(g => g.Active), description: "Live workers (spawning, initializing, idle, running, draining)");
        _meter.CreateObservableGauge("workers", Workers, description: "Live workers by state");
        _meter.CreateObservableGauge("queue_depth", () => Gauge(g => g.QueueDepth), description: "Jobs waiting for a worker");
        _meter.CreateObservableGauge("oldest_job_age_seconds", () => GaugeSeconds(g => g.OldestJobAge), "s", "How long the oldest queued job has waited");
        _meter.CreateObservableGauge("max_workers", () => Gauge(g => g.MaxWorkers), description: "The pool's maxWorkers setting");

        // Only queue-delay pools have a target (a request-count pool reports none rather than a zero an alert would trip on).
        _meter.CreateObservableGauge("queue_delay_target_seconds", QueueDelayTargets, "s", "The pool's queueDelay target: the longest a job should wait");
    }

    /// <summary>Counts <paramref name="count"/> workers started for <paramref name="pool"/>.</summary>
    public void WorkersSpawned(string pool, int count = 1)
    {
        if (count > 0)
        {
            _spawned.Add(count, Pool(pool));
        }
    }

    /// <summary>Counts a failed worker (<paramref name="reason"/>: a <see cref="WorkerTransitionReasons"/> value).</summary>
    public void WorkerFailed(string pool, string reason) => _failed.Add(1, Pool(pool), new("reason", reason));

    /// <summary>Records a finished job: its outcome (RunPod status), its time in the queue and on the worker.</summary>
    public void JobFinished(string pool, string outcome, TimeSpan queued, TimeSpan? processing)
    {
        _jobs.Add(1, Pool(pool), new("outcome", outcome));
        _queued.Record(Math.Max(0, queued.TotalSeconds), Pool(pool));
        if (processing is { } run)
        {
            RecordProcessing(pool, run);
        }
    }

    /// <summary>Records one job's execution time on a worker.</summary>
    public void RecordProcessing(string pool, TimeSpan processing) => _processing.Record(Math.Max(0, processing.TotalSeconds), Pool(pool));

    /// <summary>Counts a scaling decision and reports the queue and workers it saw.</summary>
    public void Decided(string pool, ScalingDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var action = decision.Spawn > 0 ? "spawn" : decision.Drain.Count > 0 ? "drain" : "none";
        _decisions.Add(1, Pool(pool), new("rule", decision.Rule), new("action", action));
        var inputs = decision.Inputs;
        var gauges = _gauges.GetOrAdd(pool, static _ => new PoolGauges());
        lock (gauges)
        {
            gauges.QueueDepth = inputs.QueuedJobs;
            gauges.OldestJobAge = inputs.OldestQueuedWait;
            gauges.Starting = inputs.Starting;
            gauges.Idle = inputs.Idle;
            gauges.Busy = inputs.Busy;
            gauges.Draining = inputs.Draining;
        }
    }

    /// <summary>Reports a pool's limits (read by alert rules): its maxWorkers and, for a queue-delay pool, its target.</summary>
    public void Configured(string pool, PoolScalingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var gauges = _gauges.GetOrAdd(pool, static _ => new PoolGauges());
        lock (gauges)
        {
            gauges.MaxWorkers = policy.MaxWorkers;
            gauges.QueueDelayTarget = policy.Scaler is QueueDelayScaler queueDelay ? queueDelay.Target : null;
        }
    }

    /// <summary>Reports a pool's queue (when it changes between decisions).</summary>
    public void SetQueue(string pool, int depth, TimeSpan oldestAge)
    {
        var gauges = _gauges.GetOrAdd(pool, static _ => new PoolGauges());
        lock (gauges)
        {
            gauges.QueueDepth = depth;
            gauges.OldestJobAge = oldestAge;
        }
    }

    /// <summary>Drops a removed pool's gauges (its counters stay until the exporter expires them).</summary>
    public void Forget(string pool) => _gauges.TryRemove(pool, out _);

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Pool(string pool) => new("pool", pool);

    private IEnumerable<Measurement<long>> Gauge(Func<PoolGauges, long> value)
    {
        foreach (var (pool, gauges) in _gauges)
        {
            long v;
            lock (gauges)
            {
                v = value(gauges);
            }

            yield return new Measurement<long>(v, Pool(pool));
        }
    }

    private IEnumerable<Measurement<double>> GaugeSeconds(Func<PoolGauges, TimeSpan> value)
    {
        foreach (var (pool, gauges) in _gauges)
        {
            TimeSpan v;
            lock (gauges)
            {
                v = value(gauges);
            }

            yield return new Measurement<double>(v.TotalSeconds, Pool(pool));
        }
    }

    private IEnumerable<Measurement<double>> QueueDelayTargets()
    {
        foreach (var (pool, gauges) in _gauges)
        {
            TimeSpan? target;
            lock (gauges)
            {
                target = gauges.QueueDelayTarget;
            }

            if (target is { } t)
            {
                yield return new Measurement<double>(t.TotalSeconds, Pool(pool));
            }
        }
    }

    private IEnumerable<Measurement<long>> Workers()
    {
        foreach (var (pool, gauges) in _gauges)
        {
            (string State, long Count)[] states;
            lock (gauges)
            {
                states = [("starting", gauges.Starting), (WorkerStates.Idle, gauges.Idle), (WorkerStates.Running, gauges.Busy), (WorkerStates.Draining, gauges.Draining)];
            }

            foreach (var (state, count) in states)
            {
                yield return new Measurement<long>(count, Pool(pool), new("state", state));
            }
        }
    }

    private sealed class PoolGauges
    {
        public long QueueDepth;
        public TimeSpan OldestJobAge;
        public long Starting;
        public long Idle;
        public long Busy;
        public long Draining;
        public long MaxWorkers;
        public TimeSpan? QueueDelayTarget;

        public long Active => Starting + Idle + Busy + Draining;
    }
}
