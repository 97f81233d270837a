using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Executions;

/// <summary>
/// Execution metrics on the .NET Meter "Poddle.Executions" (exported at /metrics as poddle_executions_*): executions by
/// language and verdict, queue wait and run time as histograms (<c>_bucket</c>, <c>_sum</c>, <c>_count</c>) by language, and
/// the warm pool per language (ready, target, hits, misses).
/// </summary>
public sealed class ExecutionMetrics : IDisposable
{
    public const string MeterName = "Poddle.Executions";

    /// <summary>Bucket bounds of the wait and run histograms: a warm hello world (milliseconds) to the longest time limit.</summary>
    internal static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Language, string Verdict), long> _finished = new();
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _run;

    // Exported with the meter's name as a prefix ("poddle_executions_..."). The histograms reach /metrics because the
    // server starts prometheus-net's meter adapter before anything records (PrometheusMeterExport); the bucket bounds
    // are the instruments' advice, which the adapter is told to use.
    public ExecutionMetrics(IMeterFactory meters, ICodeExecutor executor)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("completed", () => _finished.Select(f => new Measurement<long>(
            f.Value, new KeyValuePair<string, object?>("language", f.Key.Language), new KeyValuePair<string, object?>("verdict", f.Key.Verdict))),
            description: "Executions finished, by language and verdict");
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        _wait = _meter.CreateHistogram("wait_seconds", "s", "Time from submission until a worker started the execution", advice: buckets);
        _run = _meter.CreateHistogram("run_seconds", "s", "Time from start to stored result (compile and run)", advice: buckets);
        _meter.CreateObservableGauge("warm_pool_ready", () => Pools(executor, p => p.Ready), description: "Prepared sandboxes waiting, per language");
        _meter.CreateObservableGauge("warm_pool_target", () => Pools(executor, p => p.Target), description: "Size the warm pool refills to, per language");
        _meter.CreateObservableCounter("warm_pool_hits", () => Pools(executor, p => p.Hits), description: "Runs that got a prepared sandbox");
        _meter.CreateObservableCounter("warm_pool_misses", () => Pools(executor, p => p.Misses), description: "Runs that fell back to a cold start");
    }

    public void Finished(string language, string verdict, TimeSpan wait, TimeSpan run)
    {
        _finished.AddOrUpdate((language, verdict), 1, (_, n) => n + 1);
        var tag = new KeyValuePair<string, object?>("language", language);
        _wait.Record(Math.Max(0, wait.TotalSeconds), tag);
        _run.Record(Math.Max(0, run.TotalSeconds), tag);
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Pools(ICodeExecutor executor, Func<WarmPoolStats, long> value) =>
        executor.GetPoolStats().Select(p => new Measurement<long>(value(p), new KeyValuePair<string, object?>("language", p.Language)));
}
