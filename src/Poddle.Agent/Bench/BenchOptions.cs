namespace Poddle.Agent.Bench;

/// <summary>The settings of `poddle bench URL` (see docs/static-and-bench.md).</summary>
public sealed record BenchOptions
{
    /// <summary>The target: its scheme, host and port; a path in it is the page unless <see cref="PagePath"/> is set.</summary>
    public required Uri Url { get; init; }

    /// <summary>How long each concurrency level runs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The numbers of concurrent clients, one level each, in order.</summary>
    public IReadOnlyList<int> Concurrency { get; init; } = [1, 8, 32, 64];

    /// <summary>The health endpoint.</summary>
    public string HealthPath { get; init; } = "/health.json";

    /// <summary>The page (default: the URL's path, else "/"). The concurrency levels request it.</summary>
    public string? PagePath { get; init; }

    /// <summary>A static asset (default: the first script or stylesheet the page links to, on the same host).</summary>
    public string? AssetPath { get; init; }

    /// <summary>Sequential requests for the health, page and asset latencies.</summary>
    public int Samples { get; init; } = 200;

    /// <summary>
    /// The longest each sequential probe (health, page, asset) runs: it stops there with fewer than <see cref="Samples"/>
    /// requests, so a slow or hanging target cannot stretch the run to Samples × <see cref="RequestTimeout"/>.
    /// </summary>
    public TimeSpan ProbeBudget { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Redirects (to the same origin) followed to find the page; a page that redirects further is measured as it answers.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>The longest the whole run should take: every probe's budget, every level's warm-up and duration.</summary>
    public TimeSpan MaxRunTime => (3 * ProbeBudget) + (Concurrency.Count * (Warmup + Duration));

    /// <summary>A request taking longer than this counts as an error.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests before each level that are not counted (connections, JIT).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The settings' problems, each naming its option; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add($"URL: '{Url}' is not http:// or https://.");
        }

        if (Duration <= TimeSpan.Zero)
        {
            errors.Add("--duration: must be more than 0.");
        }

        if (Concurrency.Count == 0 || Concurrency.Any(c => c is < 1 or > 10_000))
        {
            errors.Add("--concurrency: a comma-separated list of numbers from 1 to 10000 (e.g. 1,8,32,64).");
        }

        if (Samples < 1)
        {
            errors.Add("--requests: must be 1 or more.");
        }

        foreach (var (name, path) in new[] { ("--health", HealthPath), ("--page", PagePath), ("--asset", AssetPath) })
        {
            if (path is not null && !path.StartsWith('/'))
            {
                errors.Add($"{name}: '{path}' must start with '/'.");
            }
        }

        return errors;
    }
}

/// <summary>What a running benchmark is doing, for a progress display.</summary>
/// <param name="Phase">"health", "page", "asset", "c=8" ...</param>
/// <param name="Fraction">0 at the start of the phase, 1 when it is done.</param>
/// <param name="Detail">Requests and errors so far, or the phase's result.</param>
public sealed record BenchProgress(string Phase, double Fraction, string Detail);
