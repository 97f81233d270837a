using Microsoft.Extensions.Options;

namespace Poddle.Core.Executions;

/// <summary>The execution service (configuration section "Execution", e.g. PODDLE_Execution__Concurrency). Validated at start.</summary>
public sealed class ExecutionOptions
{
    public const string SectionName = "Execution";

    /// <summary>Programs run at once in this process (the "execution" job lane); 0 runs none here.</summary>
    public int Concurrency { get; set; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>Limits of a run when the request gives none.</summary>
    public LimitSettings DefaultLimits { get; set; } = new() { CpuMs = 5_000, WallMs = 10_000, MemoryMb = 128 };

    /// <summary>The most a request may ask for.</summary>
    public LimitSettings MaxLimits { get; set; } = new() { CpuMs = 15_000, WallMs = 30_000, MemoryMb = 512 };

    /// <summary>The largest source (all files together) accepted, in bytes: 413 beyond.</summary>
    public int MaxCodeBytes { get; set; } = 64 * 1024;

    /// <summary>The largest stdin accepted, in bytes: 413 beyond.</summary>
    public int MaxStdinBytes { get; set; } = 1024 * 1024;

    /// <summary>Above this many queued executions, submissions get 503 with Retry-After (backpressure).</summary>
    public int MaxQueueDepth { get; set; } = 500;

    /// <summary>The Retry-After given with a 503 for a full queue.</summary>
    public TimeSpan BackpressureRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long <c>?wait=true</c> holds the request before answering 202.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Results (and the code they ran) are deleted this long after submission.</summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Cron (UTC) of the expiry job.</summary>
    public string ExpirySchedule { get; set; } = "23 * * * *";

    /// <summary>Submissions per client (user, or IP for anonymous Piston use).</summary>
    public RateLimitSettings RateLimit { get; set; } = new();

    public sealed class LimitSettings
    {
        public int CpuMs { get; set; }

        public int WallMs { get; set; }

        public int MemoryMb { get; set; }
    }

    public sealed class RateLimitSettings
    {
        public int PerMinute { get; set; } = 10;

        public int PerHour { get; set; } = 100;

        public int PerDay { get; set; } = 500;

        /// <summary>Admins are not rate-limited (operators, benchmarks); the queue's backpressure still applies.</summary>
        public bool ExemptAdmins { get; set; } = true;
    }
}

/// <summary>Names the configuration key of every bad value.</summary>
public sealed class ExecutionOptionsValidator : IValidateOptions<ExecutionOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutionOptions options)
    {
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
