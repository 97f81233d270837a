namespace Poddle.Drivers.RunPod;

/// <summary>
/// Settings of the RunPod pod driver (configuration section "RunPod", e.g. PODDLE_RunPod__ApiKey), validated at start.
/// The driver is registered only when <see cref="ApiKey"/> is set (or RunPod:Enabled=true).
/// </summary>
public sealed class RunPodDriverOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "RunPod";

    /// <summary>RunPod's GraphQL endpoint.</summary>
    public Uri Endpoint { get; set; } = new("https://api.runpod.io/graphql");

    /// <summary>The account's API key (a secret: sent as a Bearer header only, never logged, never in a URL).</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>How long one call may take before it is abandoned (and retried when that is safe).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a transient failure (timeout, 429, 5xx, INTERNAL_SERVER_ERROR), with jittered exponential back-off.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's median delay; each next one doubles it.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed calls (after retries) in <see cref="BreakerSamplingDuration"/> that open the circuit, at a failure ratio of one half or more.</summary>
    public int BreakerMinimumThroughput { get; set; } = 5;

    /// <summary>The window the circuit breaker counts failures in.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an open circuit refuses calls before it lets one through to test RunPod again.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often <c>WaitAsync</c> asks RunPod about a pod.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Put before every pod's name, so people tell Poddle's pods from others in RunPod's console.</summary>
    public string NamePrefix { get; set; } = "poddle-";

    /// <summary>The container disk of a pod whose spec says none (GB).</summary>
    public int DefaultContainerDiskGb { get; set; } = 20;
}
