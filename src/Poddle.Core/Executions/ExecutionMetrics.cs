using System.Diagnostics.Metrics;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Executions;

/// <summary>
/// Execution metrics on the .NET Meter "Poddle.Executions" (exported at /metrics): executions by language and verdict,
/// queue wait and run time, and the warm pool per language (ready, target, hits, misses).
/// </summary>
public sealed class ExecutionMetrics : IDisposable
{
    public const string MeterName = "Poddle.Executions";

    private readonly Meter _meter;
    private readonly Counter<long> _executions;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _run;

    public ExecutionMetrics(IMeterFactory meters, ICodeExecutor executor)
    {
        _meter = meters.Create(MeterName);
        _executions = _meter.CreateCounter<long>("poddle_executions", description: "Executions finished, by language and verdict");
        _wait = _meter.CreateHistogram<double>("poddle_execution_wait_seconds", "s", "Time from submission until a worker started the execution");
        _run = _meter.CreateHistogram<double>("poddle_execution_run_seconds", "s", "Time from start to stored result (compile and run)");
        _meter.CreateObservableGauge("poddle_warm_pool_ready", () => Pools(executor, p => p.Ready), description: "Prepared sandboxes waiting, per language");
        _meter.CreateObservableGauge("poddle_warm_pool_target", () => Pools(executor, p => p.Target), description: "Size the warm pool refills to, per language");
        _meter.CreateObservableCounter("poddle_warm_pool_hits", () => Pools(executor, p => p.Hits), description: "Runs that got a prepared sandbox");
        _meter.CreateObservableCounter("poddle_warm_pool_misses", () => Pools(executor, p => p.Misses), description: "Runs that fell back to a cold start");
    }

    public void Finished(string language, string verdict, TimeSpan wait, TimeSpan run)
    {
        var tags = new KeyValuePair<string, object?>[] { new("language", language), new("verdict", verdict) };
        _executions.Add(1, tags);
        _wait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("language", language));
        _run.Record(run.TotalSeconds, new KeyValuePair<string, object?>("language", language));
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Pools(ICodeExecutor executor, Func<WarmPoolStats, long> value) =>
        executor.GetPoolStats().Select(p => new Measurement<long>(value(p), new KeyValuePair<string, object?>("language", p.Language)));
}
