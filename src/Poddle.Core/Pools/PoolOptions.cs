namespace Poddle.Core.Pools;

/// <summary>Pools settings (section "Pools"), validated at start (<see cref="PoolOptionsValidator"/>).</summary>
public sealed class PoolOptions
{
    public const string SectionName = "Pools";

    /// <summary>How many pools one user may have (admins are exempt, as from every tier limit).</summary>
    public int MaxPoolsPerOwner { get; set; } = 20;

    /// <summary>Upper bound of a pool's executionTimeout and a job's policy.executionTimeout.</summary>
    public TimeSpan MaxExecutionTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Upper bound of a pool's ttl and a job's policy.ttl.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Largest job request body (/run, /runsync) and largest worker result, bytes.</summary>
    public int MaxPayloadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Most jobs waiting in one pool's queue; /run answers 429 beyond it.</summary>
    public int MaxQueuedJobs { get; set; } = 10_000;

    /// <summary>Longest ?wait= of /runsync and /status-sync (RunPod's clients ask for at most 90 s).</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long /runsync and /status-sync wait without ?wait= (RunPod's default).</summary>
    public TimeSpan DefaultWait { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How long /stream waits for a new chunk before it answers with none (a long poll, so clients do not spin).</summary>
    public TimeSpan StreamWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a worker's job request (job-take) is held open for a job before it answers 204.</summary>
    public TimeSpan TakeWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often a worker pings (RUNPOD_PING_INTERVAL); three missed pings mark a worker lost.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts at delivering a job's webhook before it is given up (back-off between them).</summary>
    public int WebhookAttempts { get; set; } = 5;

    /// <summary>How long one webhook delivery may take.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether webhooks may reach loopback, private, link-local and other non-public addresses. Off by default: a webhook
    /// is a URL any user chooses, and the server would otherwise open its own endpoints, the database or a cloud's
    /// metadata service for them. Turn it on where the receivers live on the operator's own network.
    /// </summary>
    public bool WebhookPrivateNetworks { get; set; }
}
