using Cronos;
using Microsoft.Extensions.Options;

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

/// <summary>Names the configuration key of every bad value.</summary>
public sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var failures = new List<string>();
        if (options.Workers is < 0 or > 256)
        {
            failures.Add($"Jobs:Workers must be between 0 and 256 (got {options.Workers}).");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"Jobs:LeaseDuration must be between 00:00:01 and 1.00:00:00 (got {options.LeaseDuration}).");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero || options.HeartbeatInterval > options.LeaseDuration / 2)
        {
            failures.Add($"Jobs:HeartbeatInterval must be positive and at most half of Jobs:LeaseDuration (got {options.HeartbeatInterval}, lease {options.LeaseDuration}).");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10) || options.PollInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"Jobs:PollInterval must be between 00:00:00.010 and 01:00:00 (got {options.PollInterval}).");
        }

        if (options.MaxAttempts is < 1 or > 100)
        {
            failures.Add($"Jobs:MaxAttempts must be between 1 and 100 (got {options.MaxAttempts}).");
        }

        if (options.BaseRetryDelay < TimeSpan.Zero)
        {
            failures.Add($"Jobs:BaseRetryDelay must not be negative (got {options.BaseRetryDelay}).");
        }

        if (options.MaxRetryDelay < options.BaseRetryDelay)
        {
            failures.Add($"Jobs:MaxRetryDelay must be at least Jobs:BaseRetryDelay (got {options.MaxRetryDelay}).");
        }

        if (options.SucceededRetention < TimeSpan.FromMinutes(1))
        {
            failures.Add($"Jobs:SucceededRetention must be at least 00:01:00 (got {options.SucceededRetention}).");
        }

        if (!IsCron(options.MaintenanceSchedule))
        {
            failures.Add($"Jobs:MaintenanceSchedule must be a five-field cron expression such as '17 * * * *' (got '{options.MaintenanceSchedule}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsCron(string? value)
    {
        if (value is null)
        {
            return false;
        }

        try
        {
            CronExpression.Parse(value);
            return true;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }
}
