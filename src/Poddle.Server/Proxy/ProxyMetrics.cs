using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Poddle.Server.Proxy;

/// <summary>
/// Proxy metrics on the .NET Meter "Poddle.Proxy" (exported at /metrics as poddle_proxy_*): requests and their total
/// duration per deployment and status class, and retries. Observable counters, read at each scrape; the hot path only
/// does two interlocked additions.
/// </summary>
public sealed class ProxyMetrics : IDisposable
{
    public const string MeterName = "Poddle.Proxy";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Deployment, int StatusClass), Totals> _totals = new();
    private long _retries;

    public ProxyMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("requests", () => _totals.Select(t => new Measurement<long>(
            Interlocked.Read(ref t.Value.Count), Tags(t.Key))), description: "Requests proxied, by deployment and status class");
        _meter.CreateObservableCounter("request_duration_seconds", () => _totals.Select(t => new Measurement<double>(
            Interlocked.Read(ref t.Value.Ticks) / (double)TimeSpan.TicksPerSecond, Tags(t.Key))), "s", "Total time spent on proxied requests, by deployment and status class");
        _meter.CreateObservableCounter("retries", () => Interlocked.Read(ref _retries), description: "Requests retried on another replica after a connection failure");
    }

    /// <summary>Counts one proxied request.</summary>
    public void Record(string deployment, int statusCode, TimeSpan elapsed)
    {
        var totals = _totals.GetOrAdd((deployment, statusCode / 100), static _ => new Totals());
        Interlocked.Increment(ref totals.Count);
        Interlocked.Add(ref totals.Ticks, elapsed.Ticks);
    }

    /// <summary>Counts one retry.</summary>
    public void Retried() => Interlocked.Increment(ref _retries);

    /// <summary>Retries so far.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Requests counted so far for a deployment (all status classes).</summary>
    public long RequestsOf(string deployment) => _totals.Where(t => t.Key.Deployment == deployment).Sum(t => Interlocked.Read(ref t.Value.Count));

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?>[] Tags((string Deployment, int StatusClass) key) =>
        [new("deployment", key.Deployment), new("code", $"{key.StatusClass}xx")];

    private sealed class Totals
    {
        public long Count;
        public long Ticks;
    }
}
