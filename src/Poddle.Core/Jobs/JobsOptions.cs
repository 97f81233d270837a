namespace Poddle.Core.Jobs;

/// <summary>The durable job queue (configuration section "Jobs", e.g. PODDLE_Jobs__Workers). Validated at start.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Concurrent workers in this process; 0 runs no jobs here (an API-only server).</summary>
    public int Workers { get; set; } = 4;

    /// <summary>How long a claimed job stays invisible to other workers without a heartbeat.</summary>
    /// <remarks>
    /// Short, because it is how long another server waits before it runs a job whose server died; a job that runs longer
    /// keeps its lease by heartbeats. A restarted server takes its own jobs back at once (<see cref="ServerInstance"/>).
    /// </remarks>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a worker extends the lease of the job it runs; at most half of <see cref="LeaseDuration"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle worker looks for jobs enqueued by other processes (this process wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a job is dead, unless the job sets its own.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first retry waits about this long; each further retry doubles it (with jitter).</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Succeeded jobs older than this are purged by the maintenance job.</summary>
    public TimeSpan SucceededRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Cron (UTC) of the built-in maintenance job.</summary>
    public string MaintenanceSchedule { get; set; } = "17 * * * *";
}
