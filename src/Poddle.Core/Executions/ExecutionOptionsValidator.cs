using Microsoft.Extensions.Options;

namespace Poddle.Core.Executions;

/// <summary>Checks <see cref="ExecutionOptions"/> (section "Execution"); every failure names the key to set.</summary>
public sealed class ExecutionOptionsValidator : IValidateOptions<ExecutionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ExecutionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add(message);
            }
        }

        Check(options.Concurrency is >= 0 and <= 1024, $"Execution:Concurrency must be between 0 and 1024 (got {options.Concurrency}).");
        foreach (var (key, limits) in new[] { ("DefaultLimits", options.DefaultLimits), ("MaxLimits", options.MaxLimits) })
        {
            Check(limits.CpuMs is >= 1 and <= 3_600_000, $"Execution:{key}:CpuMs must be between 1 and 3600000 (got {limits.CpuMs}).");
            Check(limits.WallMs is >= 1 and <= 3_600_000, $"Execution:{key}:WallMs must be between 1 and 3600000 (got {limits.WallMs}).");
            Check(limits.MemoryMb is >= 8 and <= 65_536, $"Execution:{key}:MemoryMb must be between 8 and 65536 (got {limits.MemoryMb}).");
        }

        Check(options.DefaultLimits.CpuMs <= options.MaxLimits.CpuMs && options.DefaultLimits.WallMs <= options.MaxLimits.WallMs
            && options.DefaultLimits.MemoryMb <= options.MaxLimits.MemoryMb, "Execution:DefaultLimits must not exceed Execution:MaxLimits.");
        Check(options.MaxCodeBytes is >= 1024 and <= 16 * 1024 * 1024, $"Execution:MaxCodeBytes must be between 1024 and 16777216 (got {options.MaxCodeBytes}).");
        Check(options.MaxStdinBytes is >= 0 and <= 64 * 1024 * 1024, $"Execution:MaxStdinBytes must be between 0 and 67108864 (got {options.MaxStdinBytes}).");
        Check(options.MaxQueueDepth >= 1, $"Execution:MaxQueueDepth must be at least 1 (got {options.MaxQueueDepth}).");
        Check(options.BackpressureRetryAfter >= TimeSpan.FromSeconds(1), "Execution:BackpressureRetryAfter must be at least 00:00:01.");
        Check(options.WaitTimeout > TimeSpan.Zero && options.WaitTimeout <= TimeSpan.FromMinutes(10), $"Execution:WaitTimeout must be between 0 and 00:10:00 (got {options.WaitTimeout}).");
        Check(options.ResultRetention >= TimeSpan.FromMinutes(1), $"Execution:ResultRetention must be at least 00:01:00 (got {options.ResultRetention}).");
        Check(Jobs.JobsOptionsValidator.IsCron(options.ExpirySchedule), $"Execution:ExpirySchedule must be a five-field cron expression (got '{options.ExpirySchedule}').");
        Check(options.RateLimit.PerMinute >= 1 && options.RateLimit.PerHour >= 1 && options.RateLimit.PerDay >= 1, "Execution:RateLimit:PerMinute, PerHour and PerDay must be at least 1.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
