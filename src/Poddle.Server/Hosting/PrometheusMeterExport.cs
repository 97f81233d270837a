using System.Diagnostics.Metrics;
using Prometheus;

namespace Poddle.Server.Hosting;

/// <summary>
/// Exports .NET meters at /metrics through prometheus-net's <see cref="MeterAdapter"/>, started once per process by
/// <see cref="Start"/> when the first server is built.
/// <para>
/// Why not prometheus-net's own adapter: it starts at the first scrape of /metrics, and a <see cref="MeterListener"/>
/// only hears measurements made after it starts, so every histogram (and counter) measurement recorded before the
/// first scrape was lost; observable instruments, read at each scrape, were not affected, which is why the execution
/// metrics used to be observable totals. It also used 25 exponential buckets for every histogram and forgot a series
/// five minutes after its last measurement. Here the adapter listens from start-up, takes each histogram's buckets from
/// its <see cref="InstrumentAdvice{T}.HistogramBucketBoundaries"/>, and keeps series for <see cref="SeriesLifetime"/>.
/// </para>
/// <para>
/// The per-request framework meters (ASP.NET Core, Kestrel, HttpClient) are left out: they would record several
/// histograms per proxied request (twice: in and out), at a measured cost of about a third of the proxy's throughput.
/// Requests are already counted by poddle_proxy_* (apps) and http_request_duration_seconds (the API); every other
/// meter (runtime, EF Core, Poddle's) is exported. The same sources' event counters (prometheus-net's event counter
/// adapter publishes them every 10 seconds) are left out for the same reason: <see cref="PerRequestEventSources"/>.
/// </para>
/// </summary>
internal static class PrometheusMeterExport
{
    /// <summary>How long a series with no new measurement stays exported: prometheus-net's maximum (label sets here are
    /// bounded: languages, pools).</summary>
    internal static readonly TimeSpan SeriesLifetime = TimeSpan.FromDays(1);

    private static readonly Lock Gate = new();

    private static readonly HashSet<string> PerRequestMeters = new(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "System.Net.Http",
        "System.Net.NameResolution",
    };

    /// <summary>Event sources that count per request or per socket operation; prometheus-net would otherwise enable
    /// them (its defaults take every source named System.Net*, Microsoft.AspNetCore* and Microsoft-AspNetCore*).</summary>
    internal static readonly HashSet<string> PerRequestEventSources = new(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft-AspNetCore-Server-Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "System.Net.Http",
        "System.Net.NameResolution",
        "System.Net.Sockets",
        "System.Net.Security",
    };

    // Held for the process's life: the registry it writes to (prometheus-net's default) is process-wide as well.
    private static IDisposable? _adapter;

    /// <summary>Starts the adapter unless it runs already (several servers in one process share it and the registry).</summary>
    public static void Start()
    {
        lock (Gate)
        {
            if (_adapter is not null)
            {
                return;
            }

            // Read at the registry's first collection, which comes after this (the first server is built before any scrape).
            Metrics.ConfigureEventCounterAdapter(options => options.EventSourceFilterPredicate = ExportsEventSource);

            // Keeps prometheus-net's other defaults (process, event counters, its own debug metrics) and stops it from
            // starting a second meter adapter at the first scrape, which would count every measurement twice.
            Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
            _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
            {
                InstrumentFilterPredicate = instrument => !PerRequestMeters.Contains(instrument.Meter.Name),
                ResolveHistogramBuckets = Buckets,
                MetricsExpireAfter = SeriesLifetime,
            });
        }
    }

    /// <summary>Whether an event source's counters are exported: prometheus-net's default choice less the per-request ones.</summary>
    internal static bool ExportsEventSource(string name) =>
        !PerRequestEventSources.Contains(name)
        && DefaultEventSourcePrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    // prometheus-net 8's own default choice (internal to it): its event counter adapter takes these sources.
    private static readonly string[] DefaultEventSourcePrefixes = ["System.Runtime", "Microsoft-AspNetCore", "Microsoft.AspNetCore", "System.Net"];

    /// <summary>The instrument's advised bucket bounds, or prometheus-net's default when it gives none.</summary>
    internal static double[] Buckets(Instrument instrument) => instrument switch
    {
        Histogram<double> { Advice.HistogramBucketBoundaries: { Count: > 0 } bounds } => [.. bounds],
        Histogram<long> { Advice.HistogramBucketBoundaries: { Count: > 0 } bounds } => [.. bounds.Select(b => (double)b)],
        Histogram<int> { Advice.HistogramBucketBoundaries: { Count: > 0 } bounds } => [.. bounds.Select(b => (double)b)],
        _ => MeterAdapterOptions.DefaultHistogramBuckets,
    };
}
