using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Poddle.Agent.Bench;

/// <summary>
/// `poddle bench URL`: the health endpoint's, a page's and an asset's latency over sequential requests, the headers
/// that decide compression and caching, then the page under each concurrency level for the duration (requests/s,
/// errors, latency), with the target's CPU and memory when it runs on this machine.
/// </summary>
/// <remarks>
/// One <see cref="SocketsHttpHandler"/> with as many connections as the largest level, HTTP/1.1 keep-alive, no
/// decompression (bodies are read as sent, the way a load tester should), no cookies, proxies or tracing headers.
/// Every client reads each body to the end into one reused buffer.
/// </remarks>
public sealed partial class HttpBenchmark
{
    private const string BrowserAcceptEncoding = "gzip, deflate, br";

    private readonly BenchOptions _options;
    private readonly IProgress<BenchProgress>? _progress;
    private readonly TimeProvider _time;

    public HttpBenchmark(BenchOptions options, IProgress<BenchProgress>? progress = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _progress = progress;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Runs every phase. Failing requests are counted, never thrown; a target that is down yields errors, not an exception.</summary>
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        var startedAt = _time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var baseUri = new Uri(_options.Url.GetLeftPart(UriPartial.Authority) + "/");
        var pagePath = _options.PagePath ?? (_options.Url.AbsolutePath is { Length: > 1 } p ? _options.Url.PathAndQuery : "/");
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, _options.Concurrency.Max()),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = _options.RequestTimeout,
            ActivityHeadersPropagator = null,
        };
        using var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseUri, Timeout = _options.RequestTimeout };

        var target = await FindTargetAsync(cancellationToken);
        _progress?.Report(new BenchProgress("plan", 0, string.Create(
            CultureInfo.InvariantCulture,
            $"at most about {_options.MaxRunTime.TotalSeconds:0} s: health, page and asset latency ({_options.Samples} requests or {_options.ProbeBudget.TotalSeconds:0.#} s each), then {_options.Concurrency.Count} concurrency level(s) of {_options.Duration.TotalSeconds:0.#} s (--duration) after a {_options.Warmup.TotalSeconds:0.#} s warm-up")));

        var (resolvedPage, redirects, pageNote) = await ResolvePageAsync(client, pagePath, cancellationToken);
        if (pageNote is not null)
        {
            _progress?.Report(new BenchProgress("page", 0, pageNote));
        }

        pagePath = resolvedPage;
        var health = await ProbeAsync(client, "health", _options.HealthPath, withHeaders: false, cancellationToken);
        var page = await ProbeAsync(client, "page", pagePath, withHeaders: true, cancellationToken);
        var assetPath = _options.AssetPath ?? await DiscoverAssetAsync(client, pagePath, cancellationToken);
        var asset = assetPath is null ? null : await ProbeAsync(client, "asset", assetPath, withHeaders: true, cancellationToken);

        var levels = new List<BenchLevel>();
        foreach (var concurrency in _options.Concurrency)
        {
            levels.Add(await RunLevelAsync(client, concurrency, pagePath, target.Report?.Pids, cancellationToken));
        }

        return new BenchReport(
            _options.Url.ToString(),
            startedAt,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 2),
            health,
            page,
            asset,
            levels,
            target.Report,
            target.Note,
            redirects,
            pageNote);
    }

    /// <summary>
    /// Follows the page's redirects within the target's origin (at most <see cref="BenchOptions.MaxRedirects"/>), so a
    /// URL that answers "302 Found" is measured where it leads rather than as a redirect. A redirect to another origin
    /// (another host, port or scheme) is not followed: that is another target, and the note says how to bench it.
    /// </summary>
    private async Task<(string Path, IReadOnlyList<BenchRedirect> Redirects, string? Note)> ResolvePageAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        var redirects = new List<BenchRedirect>();
        var current = path;
        while (true)
        {
            int status;
            Uri? location;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                status = (int)response.StatusCode;
                location = response.Headers.Location;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Down or hanging: the probes count those failures.
                break;
            }

            if (status is not (301 or 302 or 303 or 307 or 308) || location is null)
            {
                break;
            }

            var next = new Uri(new Uri(client.BaseAddress!, current), location);
            if (Uri.Compare(next, client.BaseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                return (current, redirects, string.Create(
                    CultureInfo.InvariantCulture,
                    $"{current} redirects ({status}) to {next}, another origin: measuring the redirect itself; run `poddle bench {next}` to measure that page"));
            }

            if (redirects.Count == _options.MaxRedirects)
            {
                return (current, redirects, string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path} redirects more than {_options.MaxRedirects} times (a loop?): measuring {current} as it answers"));
            }

            redirects.Add(new BenchRedirect(current, status, next.PathAndQuery));
            current = next.PathAndQuery;
        }

        return (current, redirects, redirects.Count == 0
            ? null
            : $"{path} redirects ({string.Join(" → ", redirects.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Status} {r.To}")))}): measuring {current}");
    }

    private async Task<(BenchTarget? Report, string? Note)> FindTargetAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            return (null, "resource use is read from /proc, on Linux only");
        }

        if (!await LocalProcessFinder.IsLocalAsync(_options.Url.Host, cancellationToken))
        {
            return (null, $"{_options.Url.Host} is not this machine: its resource use cannot be seen");
        }

        var pids = LocalProcessFinder.FindListeners(_options.Url.Port);
        if (pids.Count == 0)
        {
            return (null, $"no visible process listens on port {_options.Url.Port} (not running, in another network namespace, or another user's: run as root)");
        }

        var name = ReadOrEmpty($"/proc/{pids[0]}/comm").Trim();
        var commandLine = ReadOrEmpty($"/proc/{pids[0]}/cmdline").Replace('\0', ' ').Trim();
        return (new BenchTarget(pids, name, commandLine), null);
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private async Task<BenchProbe> ProbeAsync(HttpClient client, string phase, string path, bool withHeaders, CancellationToken cancellationToken)
    {
        _progress?.Report(new BenchProgress(phase, 0, $"GET {path} x{_options.Samples}"));
        var latencies = new long[_options.Samples];
        var count = 0;
        var failures = 0;
        int? status = null;
        string? lastError = null;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var i = 0; i < _options.Samples && Stopwatch.GetElapsedTime(started) < _options.ProbeBudget; i++)
            {
                var (code, ticks, error) = await SendAsync(client, path, withHeaders ? BrowserAcceptEncoding : null, buffer, cancellationToken);
                latencies[count++] = ticks;
                status = code ?? status;
                if (error is not null || code is null or >= 400)
                {
                    failures++;
                    lastError = error ?? $"HTTP {code}";
                }

                if (i > 0 && i % 20 == 0)
                {
                    _progress?.Report(new BenchProgress(phase, (double)i / _options.Samples, $"GET {path} {i}/{_options.Samples}"));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var headers = withHeaders ? await InspectHeadersAsync(client, path, cancellationToken) : null;
        var latency = LatencyRecorder.Summarize(latencies[..count]);
        var cut = count < _options.Samples ? string.Create(CultureInfo.InvariantCulture, $" ({count} requests in the {_options.ProbeBudget.TotalSeconds:0.#} s budget)") : string.Empty;
        _progress?.Report(new BenchProgress(phase, 1, $"GET {path}: p50 {latency?.P50:0.###} ms, p99 {latency?.P99:0.###} ms, {failures} errors{cut}"));
        return new BenchProbe(path, count, failures, status, latency, headers, failures > 0 ? lastError : null);
    }

    private static async Task<BenchHeaders?> InspectHeadersAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Accept-Encoding", BrowserAcceptEncoding);
            request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var content = response.Content.Headers;
            string? Header(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
            var encoding = Header(content, "Content-Encoding");
            var cacheControl = Header(response.Headers, "Cache-Control");
            var etag = Header(response.Headers, "ETag");
            var lastModified = Header(content, "Last-Modified");
            var validator = etag is not null || lastModified is not null;
            return new BenchHeaders(
                Header(content, "Content-Type"),
                encoding,
                cacheControl,
                etag,
                lastModified,
                Header(response.Headers, "Vary"),
                body.LongLength,
                encoding is not null && (encoding.Contains("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Contains("br", StringComparison.OrdinalIgnoreCase)),
                IsCacheable(cacheControl, validator),
                validator);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Cache-Control lets a browser keep the response: a positive max-age, or no-cache with a validator to revalidate.</summary>
    internal static bool IsCacheable(string? cacheControl, bool validator)
    {
        if (cacheControl is null)
        {
            return false;
        }

        if (cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase))
        {
            return validator;
        }

        var match = MaxAge().Match(cacheControl);
        return match.Success && long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) > 0;
    }

    private static async Task<string?> DiscoverAssetAsync(HttpClient client, string pagePath, CancellationToken cancellationToken)
    {
        string html;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, pagePath);
            request.Headers.TryAddWithoutValidation("Accept", "text/html");
            using var response = await client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            html = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        // The first script, else the first stylesheet, that the page loads from its own host.
        foreach (var pattern in new[] { ScriptSource(), StylesheetHref() })
        {
            foreach (Match match in pattern.Matches(html))
            {
                var reference = match.Groups["url"].Value;
                // Relative to the page ("app.js" on /docs/ is /docs/app.js), as a browser resolves it.
                if (Uri.TryCreate(new Uri(client.BaseAddress!, pagePath), new Uri(reference, UriKind.RelativeOrAbsolute), out var resolved)
                    && Uri.Compare(resolved, client.BaseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    return resolved.PathAndQuery;
                }
            }
        }

        return null;
    }

    private async Task<BenchLevel> RunLevelAsync(HttpClient client, int concurrency, string path, IReadOnlyList<int>? targetPids, CancellationToken cancellationToken)
    {
        var phase = $"c={concurrency}";
        _progress?.Report(new BenchProgress(phase, 0, $"{concurrency} clients, GET {path}, {_options.Duration.TotalSeconds:0.#} s"));

        // Warm-up: open the connections and let both sides reach steady state; not counted.
        if (_options.Warmup > TimeSpan.Zero)
        {
            await RunClientsAsync(client, concurrency, path, _options.Warmup, null, cancellationToken);
        }

        await using var sampler = targetPids is { Count: > 0 } ? new ProcessSampler(targetPids) : null;
        var counters = new LevelCounters(concurrency);
        var started = Stopwatch.GetTimestamp();
        var run = RunClientsAsync(client, concurrency, path, _options.Duration, counters, cancellationToken);
        while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken)) != run)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var (requests, failed) = counters.Totals();
            _progress?.Report(new BenchProgress(phase, Math.Min(1, elapsed / _options.Duration), $"{requests} requests, {failed} errors, {requests / Math.Max(0.001, elapsed.TotalSeconds):0} req/s"));
        }

        await run;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var usage = sampler is null ? null : await sampler.StopAsync();
        var (total, errors) = counters.Totals();
        var latency = LatencyRecorder.Summarize(counters.Latencies);
        var statusCodes = counters.StatusCodes();
        var rps = Math.Round(total / seconds, 1);
        _progress?.Report(new BenchProgress(phase, 1, $"{rps:0} req/s, p99 {latency?.P99:0.###} ms, {errors} errors"));
        return new BenchLevel(concurrency, path, total, errors, Math.Round(seconds, 3), rps, latency, statusCodes, usage);
    }

    private static Task RunClientsAsync(HttpClient client, int concurrency, string path, TimeSpan duration, LevelCounters? counters, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var clients = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var index = i;
            clients[i] = Task.Run(async () =>
            {
                var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    while (Stopwatch.GetTimestamp() < deadline)
                    {
                        var (code, ticks, error) = await SendAsync(client, path, BrowserAcceptEncoding, buffer, cancellationToken);
                        counters?.Record(index, code, ticks, error is not null);

                        // A refused connection fails in microseconds: pausing keeps a down target from turning the
                        // level into a busy loop of millions of errors.
                        if (code is null)
                        {
                            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
                        }
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }, cancellationToken);
        }

        return Task.WhenAll(clients);
    }

    /// <summary>One GET, body read to the end: status (null when no response came), latency in Stopwatch ticks, error.</summary>
    private static async Task<(int? Status, long Ticks, string? Error)> SendAsync(HttpClient client, string path, string? acceptEncoding, byte[] buffer, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (acceptEncoding is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                while (await body.ReadAsync(buffer, cancellationToken) > 0)
                {
                }
            }

            return ((int)response.StatusCode, Stopwatch.GetTimestamp() - started, null);
        }
        catch (HttpRequestException ex)
        {
            return (null, Stopwatch.GetTimestamp() - started, ex.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, Stopwatch.GetTimestamp() - started, "timeout");
        }
        catch (IOException ex)
        {
            return (null, Stopwatch.GetTimestamp() - started, ex.Message);
        }
    }

    [GeneratedRegex("""<script\b[^>]*\bsrc\s*=\s*["']?(?<url>[^"'\s>]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();

    [GeneratedRegex("""<link\b(?=[^>]*\brel\s*=\s*["']?stylesheet)[^>]*\bhref\s*=\s*["']?(?<url>[^"'\s>]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex StylesheetHref();

    [GeneratedRegex(@"max-age\s*=\s*(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex MaxAge();

    /// <summary>Per-client counters (no sharing while the level runs), summed when asked.</summary>
    private sealed class LevelCounters
    {
        private readonly LatencyRecorder[] _latencies;
        private readonly Dictionary<string, long>[] _statuses;
        private readonly long[] _requests;
        private readonly long[] _errors;

        public LevelCounters(int clients)
        {
            _latencies = [.. Enumerable.Range(0, clients).Select(_ => new LatencyRecorder())];
            _statuses = [.. Enumerable.Range(0, clients).Select(_ => new Dictionary<string, long>(StringComparer.Ordinal))];
            _requests = new long[clients];
            _errors = new long[clients];
        }

        public IEnumerable<LatencyRecorder> Latencies => _latencies;

        public void Record(int client, int? status, long ticks, bool failed)
        {
            _latencies[client].Add(ticks);
            var key = status?.ToString(CultureInfo.InvariantCulture) ?? "error";
            var statuses = _statuses[client];
            lock (statuses)
            {
                statuses[key] = statuses.GetValueOrDefault(key) + 1;
            }

            if (failed || status is null or >= 400)
            {
                Interlocked.Increment(ref _errors[client]);
            }

            Interlocked.Increment(ref _requests[client]);
        }

        public (long Requests, long Errors) Totals()
        {
            long requests = 0, errors = 0;
            for (var i = 0; i < _requests.Length; i++)
            {
                requests += Volatile.Read(ref _requests[i]);
                errors += Volatile.Read(ref _errors[i]);
            }

            return (requests, errors);
        }

        public SortedDictionary<string, long> StatusCodes()
        {
            var merged = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var statuses in _statuses)
            {
                lock (statuses)
                {
                    foreach (var (key, value) in statuses)
                    {
                        merged[key] = merged.GetValueOrDefault(key) + value;
                    }
                }
            }

            return merged;
        }
    }
}
