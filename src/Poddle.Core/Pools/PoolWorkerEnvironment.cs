namespace Poddle.Core.Pools;

/// <summary>
/// The names of the environment a worker gets: RunPod's worker SDK (runpod-python) reads them, so a worker image made
/// for RunPod serverless runs unchanged (docs/pools.md, "Worker protocol"). Wire values.
/// </summary>
public static class PoolWorkerEnvironment
{
    /// <summary>GET: the next job. A template: "$ID" is the worker id; it carries a query string because the SDK appends "&amp;job_in_progress=0|1".</summary>
    public const string GetJob = "RUNPOD_WEBHOOK_GET_JOB";

    /// <summary>POST: a job's result. "$ID" is the job id, "$RUNPOD_POD_ID" the worker id; the SDK appends "&amp;isStream=…".</summary>
    public const string PostOutput = "RUNPOD_WEBHOOK_POST_OUTPUT";

    /// <summary>POST: one stream chunk of a job; the same template form as <see cref="PostOutput"/>.</summary>
    public const string PostStream = "RUNPOD_WEBHOOK_POST_STREAM";

    /// <summary>GET: liveness, every <see cref="PingInterval"/> ms; "$RUNPOD_POD_ID" is the worker id.</summary>
    public const string Ping = "RUNPOD_WEBHOOK_PING";

    /// <summary>Milliseconds between pings.</summary>
    public const string PingInterval = "RUNPOD_PING_INTERVAL";

    /// <summary>
    /// Poddle's addition: GET, a long poll that answers 200 once the job in hand ("$ID") is no longer the worker's to run
    /// (cancelled, timed out, taken back), so the worker can stop its handler; 204 when nothing happened meanwhile.
    /// "$RUNPOD_POD_ID" is the worker id. runpod-python does not read it; `poddle agent --worker` does.
    /// </summary>
    public const string JobStop = "PODDLE_WEBHOOK_JOB_STOP";

    /// <summary>The worker's id.</summary>
    public const string PodId = "RUNPOD_POD_ID";

    /// <summary>The worker's key, sent back raw in the Authorization header (no "Bearer").</summary>
    public const string ApiKey = "RUNPOD_AI_API_KEY";

    /// <summary>The pool's id (RunPod's endpoint id).</summary>
    public const string EndpointId = "RUNPOD_ENDPOINT_ID";

    /// <summary>Prefix of every worker key, so a key that leaks is recognisable.</summary>
    public const string KeyPrefix = "pwk_";
}
