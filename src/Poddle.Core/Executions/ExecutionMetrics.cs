using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Executions;

/// <summary>
/// Execution metrics on the .NET Meter "Poddle.Executions" (exported at /metrics as poddle_executions_*): executions by
/// language and verdict, total queue wait and run time, and the warm pool per language (ready, target, hits, misses).
/// </summary>
public sealed class ExecutionMetrics : IDisposable
{
    public const string MeterName = "Poddle.Executions";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Language, string Verdict), long> _finished = new();
    private readonly ConcurrentDictionary<string, (double Wait, double Run)> _seconds = new(StringComparer.Ordinal);

    // Exported with the meter's name as a prefix ("poddle_executions_..."). Totals are observable instruments, read at
    // each scrape, so they are exported whatever the exporter's handling of recorded measurements.
    public ExecutionMetrics(IMeterFactory meters, ICodeExecutor executor)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("completed", () => _finished.Select(f => new Measurement<long>(
            f.Value, new KeyValuePair<string, object?>("language", f.Key.Language), new KeyValuePair<string, object?>("verdict", f.Key.Verdict))),
            description: "Executions finished, by language and verdict");
        _meter.CreateObservableCounter("wait_seconds", () => _seconds.Select(s => new Measurement<double>(s.Value.Wait, new KeyValuePair<string, object?>("language", s.Key))),
            "s", "Total time from submission until a worker started the execution");
        _meter.CreateObservableCounter("run_seconds", () => _seconds.Select(s => new Measurement<double>(s.Value.Run, new KeyValuePair<string, object?>("language", s.Key))),
            "s", "Total time from start to stored result (compile and run)");
        _meter.CreateObservableGauge("warm_pool_ready", () => Pools(executor, p => p.Ready), description: "Prepared sandboxes waiting, per language");
        _meter.CreateObservableGauge("warm_pool_target", () => Pools(executor, p => p.Target), description: "Size the warm pool refills to, per language");
        _meter.CreateObservableCounter("warm_pool_hits", () => Pools(executor, p => p.Hits), description: "Runs that got a prepared sandbox");
        _meter.CreateObservableCounter("warm_pool_misses", () => Pools(executor, p => p.Misses), description: "Runs that fell back to a cold start");
    }

    public void Finished(string language, string verdict, TimeSpan wait, TimeSpan run)
    {
        _finished.AddOrUpdate((language, verdict), 1, (_, n) => n + 1);
        _seconds.AddOrUpdate(language, (wait.TotalSeconds, run.TotalSeconds), (_, t) => (t.Wait + wait.TotalSeconds, t.Run + run.TotalSeconds));
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Pools(ICodeExecutor executor, Func<WarmPoolStats, long> value) =>
        executor.GetPoolStats().Select(p => new Measurement<long>(value(p), new KeyValuePair<string, object?>("language", p.Language)));
}
