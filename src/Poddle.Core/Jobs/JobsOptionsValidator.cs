using Cronos;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Jobs;

/// <summary>Checks <see cref="JobsOptions"/> (section "Jobs"); every failure names the key to set.</summary>
public sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
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
