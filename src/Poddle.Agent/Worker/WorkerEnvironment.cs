using System.Globalization;

namespace Poddle.Agent.Worker;

/// <summary>
/// What `poddle agent --worker` reads from the environment a pool gives its workers (RunPod's variables, as
/// runpod-python reads them; docs/pools.md "Worker protocol"). The names are wire values: they mirror
/// Poddle.Core.Pools.PoolWorkerEnvironment, which the agent cannot reference (it runs in a pod with no server code).
/// </summary>
/// <remarks>TakeUrl: job-take with "$ID" replaced by the worker id; "&amp;job_in_progress=0|1" is appended per request.</remarks>
/// <remarks>OutputUrl: job-done; "$ID" is the job id, "$RUNPOD_POD_ID" already replaced.</remarks>
/// <remarks>PingUrl: null for no pings.</remarks>
/// <remarks>StopUrl: Poddle's job-stop long poll ("$ID" is the job in hand); null when the server offers none.</remarks>
/// <remarks>Key: RUNPOD_AI_API_KEY, sent raw in the Authorization header. Never logged.</remarks>
public sealed record WorkerEnvironment(string WorkerId, string TakeUrl, string OutputUrl, string? PingUrl, TimeSpan PingInterval, string? StopUrl, string Key)
{
    public const string GetJob = "RUNPOD_WEBHOOK_GET_JOB";
    public const string PostOutput = "RUNPOD_WEBHOOK_POST_OUTPUT";
    public const string Ping = "RUNPOD_WEBHOOK_PING";
    public const string PingIntervalVariable = "RUNPOD_PING_INTERVAL";
    public const string PodId = "RUNPOD_POD_ID";
    public const string ApiKey = "RUNPOD_AI_API_KEY";

    /// <summary>Poddle's own addition: the job-stop long poll for the job in hand (cancelled or timed out on the server).</summary>
    public const string JobStop = "PODDLE_WEBHOOK_JOB_STOP";

    /// <summary>runpod-python's default when RUNPOD_PING_INTERVAL is unset.</summary>
    public static readonly TimeSpan DefaultPingInterval = TimeSpan.FromSeconds(10);

    /// <summary>Reads the worker's environment; null with one message per missing or bad variable, naming it.</summary>
    public static WorkerEnvironment? Read(IReadOnlyDictionary<string, string> variables, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var problems = new List<string>();
        string? Required(string name)
        {
            if (variables.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }

            problems.Add($"{name}: missing; `poddle agent --worker` runs as a pool's worker, which gets it from the pool (docs/pools.md)");
            return null;
        }

        var take = Required(GetJob);
        var output = Required(PostOutput);
        var workerId = Required(PodId);
        var key = Required(ApiKey);
        foreach (var (name, url) in new[] { (GetJob, take), (PostOutput, output) })
        {
            if (url is not null && !IsHttpUrl(url.Replace("$RUNPOD_POD_ID", "w", StringComparison.Ordinal).Replace("$ID", "j", StringComparison.Ordinal)))
            {
                problems.Add($"{name}: '{url}' is not an http(s) URL");
            }
        }

        var interval = DefaultPingInterval;
        if (variables.TryGetValue(PingIntervalVariable, out var ms) && !string.IsNullOrWhiteSpace(ms))
        {
            if (long.TryParse(ms, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value is >= 100 and <= 3_600_000)
            {
                interval = TimeSpan.FromMilliseconds(value);
            }
            else
            {
                problems.Add($"{PingIntervalVariable}: '{ms}' is not a number of milliseconds from 100 to 3600000");
            }
        }

        errors = problems;
        if (problems.Count > 0)
        {
            return null;
        }

        string? Optional(string name) =>
            variables.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim().Replace("$RUNPOD_POD_ID", workerId, StringComparison.Ordinal) : null;

        return new WorkerEnvironment(
            workerId!,
            take!.Replace("$ID", workerId, StringComparison.Ordinal),
            output!.Replace("$RUNPOD_POD_ID", workerId, StringComparison.Ordinal),
            Optional(Ping),
            interval,
            Optional(JobStop),
            key!);
    }

    /// <summary>Appends a query parameter to a URL that may or may not carry a query string already.</summary>
    public static Uri WithQuery(string url, string parameter) =>
        new(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + parameter);

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
