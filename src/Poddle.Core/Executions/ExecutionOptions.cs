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
