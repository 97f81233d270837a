using System.Text.Json;
using System.Text.Json.Serialization;

namespace Poddle.Agent.Bench;

// The result of `poddle bench URL`, as printed by --json (docs/static-and-bench.md). Latencies are milliseconds.

/// <summary>The whole run.</summary>
/// <remarks>
/// <para>Url: The target's base URL.</para>
/// <para>Target: The local process that listens on the URL's port, when it could be found; see <see cref="TargetNote"/> otherwise.</para>
/// <para>TargetNote: Why the target's resource use is missing (remote host, process not visible).</para>
/// <para>Redirects: The redirects followed from the URL's page to the page measured (same origin only); empty when it answered itself.</para>
/// <para>PageNote: Why the page measured is not what the URL names (a redirect followed, or one to another origin that was not).</para>
/// </remarks>
public sealed record BenchReport(
    string Url,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    BenchProbe Health,
    BenchProbe Page,
    BenchProbe? Asset,
    IReadOnlyList<BenchLevel> Levels,
    BenchTarget? Target,
    string? TargetNote,
    IReadOnlyList<BenchRedirect>? Redirects = null,
    string? PageNote = null);

/// <summary>One redirect on the way to the page: the path asked for, the status (301, 302, 307, 308) and where it pointed.</summary>
public sealed record BenchRedirect(string From, int Status, string To);

/// <summary>Sequential requests to one path: latency percentiles and what the responses' headers say.</summary>
/// <remarks>
/// <para>Status: The status code of the last response (null when every request failed).</para>
/// <para>Headers: The headers of a response to a browser-like request (Accept-Encoding: gzip, br); null for the health check.</para>
/// </remarks>
public sealed record BenchProbe(string Path, int Requests, int Errors, int? Status, BenchLatency? LatencyMs, BenchHeaders? Headers, string? Error = null);

/// <summary>Latency distribution of successful and failed requests alike, in milliseconds.</summary>
public sealed record BenchLatency(double Min, double Mean, double P50, double P95, double P99, double Max);

/// <summary>Whether a response carries compression and caching headers.</summary>
/// <remarks>
/// <para>Compressed: Content-Encoding is gzip or br.</para>
/// <para>Cacheable: Cache-Control is present and allows caching (max-age &gt; 0, or no-cache with a validator).</para>
/// <para>Validator: An ETag or Last-Modified lets the client revalidate (304).</para>
/// </remarks>
public sealed record BenchHeaders(
    string? ContentType,
    string? ContentEncoding,
    string? CacheControl,
    string? ETag,
    string? LastModified,
    string? Vary,
    long BodyBytes,
    bool Compressed,
    bool Cacheable,
    bool Validator);

/// <summary>One concurrency level: that many clients requesting the page back to back for the duration.</summary>
/// <remarks>
/// <para>StatusCodes: Responses by status code; "error" counts requests that got no response (refused, reset, timed out).</para>
/// <para>Target: The target's CPU and memory during this level, when it is local.</para>
/// </remarks>
public sealed record BenchLevel(
    int Concurrency,
    string Path,
    long Requests,
    long Errors,
    double Seconds,
    double RequestsPerSecond,
    BenchLatency? LatencyMs,
    IReadOnlyDictionary<string, long> StatusCodes,
    BenchTargetUsage? Target);

/// <summary>The processes that hold the target's listening socket (an nginx master and its workers count together).</summary>
public sealed record BenchTarget(IReadOnlyList<int> Pids, string Name, string CommandLine);

/// <summary>CPU (100% = one core) and resident memory of the target's processes, sampled every 250 ms.</summary>
public sealed record BenchTargetUsage(double CpuPercentMean, double CpuPercentMax, double RssMbMax, int Samples);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(BenchReport))]
public sealed partial class BenchJsonContext : JsonSerializerContext;
