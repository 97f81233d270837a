using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Executions;

/// <summary>Who submits: a user, or an anonymous client known by its IP (Piston API with anonymous use on).</summary>
public sealed record Submitter(Guid? UserId, bool IsAdmin, string RateKey)
{
    public static Submitter User(Guid userId, bool isAdmin) => new(userId, isAdmin, "user:" + userId.ToString("N"));

    public static Submitter Anonymous(string clientAddress) => new(null, false, "ip:" + clientAddress);
}

/// <summary>Limits a client asks for; null fields take the server's defaults.</summary>
public sealed record LimitRequest(int? CpuMs, int? WallMs, int? MemoryMb);

/// <summary>
/// A program to run. <paramref name="Files"/>: the first is the entry point; a single unnamed file takes the
/// language's main file name. Errors name the fields by this record's properties (<see cref="ExecutionFields"/>); each API
/// maps them to its own names.
/// </summary>
public sealed record ExecutionSubmission(
    string? Language,
    IReadOnlyList<CodeFile> Files,
    ReadOnlyMemory<byte> Stdin = default,
    IReadOnlyList<string>? Args = null,
    LimitRequest? Limits = null,
    LimitRequest? CompileLimits = null,
    string Source = "api");

/// <summary>Queue statistics: depth and recent throughput, wait and run percentiles, warm pools.</summary>
public sealed record ExecutionStats(
    int Depth,
    int Processing,
    int CompletedLastMinute,
    int FailedLastMinute,
    double? WaitP50Ms,
    double? WaitP95Ms,
    double? RunP50Ms,
    double? RunP95Ms,
    IReadOnlyList<WarmPoolStats> Pools,
    ExecutorHealth Health);

/// <summary>
/// The execution service: validates and queues programs (durably, on the job queue's "execution" lane), enforces
/// backpressure and per-client rate limits, answers results to their owner, and waits for results pushed by the
/// worker (<see cref="ExecutionNotifier"/>).
/// </summary>
public sealed class ExecutionService(
    PoddleDbContext db,
    JobQueue queue,
    ICodeExecutor executor,
    ExecutionNotifier notifier,
    ExecutionRateLimiter rateLimiter,
    IOptions<ExecutionOptions> options,
    TimeProvider clock)
{
    public const string JobKind = JobKinds.Execution;

    /// <summary>The readiness gate of the jobs that run code (<see cref="Jobs.JobReadinessGate"/>): the executor's language discovery.</summary>
    public const string ExecutorGate = "language discovery";
    public const int MaxFiles = 16;
    public const int MaxFileNameLength = 128;
    public const int MaxArgs = 64;
    public const int MaxArgLength = 4096;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public IReadOnlyList<LanguageRuntime> Runtimes => executor.Runtimes;

    public ExecutorHealth Health => executor.Health;

    /// <summary>Finds a runtime by canonical name or alias, ignoring case.</summary>
    public LanguageRuntime? FindRuntime(string? language) =>
        string.IsNullOrWhiteSpace(language)
            ? null
            : executor.Runtimes.FirstOrDefault(r =>
                string.Equals(r.Language, language, StringComparison.OrdinalIgnoreCase)
                || r.Aliases.Any(a => string.Equals(a, language, StringComparison.OrdinalIgnoreCase)));

    public async Task<Result<Execution>> SubmitAsync(Submitter submitter, ExecutionSubmission submission, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var codeBytes = submission.Files.Sum(f => (long)f.Content.Length);
        if (codeBytes > settings.MaxCodeBytes)
        {
            return Error.TooLarge(ExecutionFields.Files, $"The code is {codeBytes} bytes; at most {settings.MaxCodeBytes} bytes are accepted.");
        }

        if (submission.Stdin.Length > settings.MaxStdinBytes)
        {
            return Error.TooLarge(ExecutionFields.Stdin, $"stdin is {submission.Stdin.Length} bytes; at most {settings.MaxStdinBytes} bytes are accepted.");
        }

        var errors = new FieldErrors();
        var runtime = FindRuntime(submission.Language);
        if (string.IsNullOrWhiteSpace(submission.Language))
        {
            errors.Add(ExecutionFields.Language, "The language is required. GET /api/execution/runtimes lists them.");
        }
        else if (runtime is null)
        {
            errors.Add(ExecutionFields.Language, $"'{submission.Language}' is not a language this server runs. Available: {string.Join(", ", executor.Runtimes.Select(r => r.Language))}.");
        }

        var files = ValidateFiles(submission, runtime, errors);
        var args = submission.Args ?? [];
        ValidateArgs(args, errors);
        var run = ResolveLimits(submission.Limits, ExecutionFields.Limits, errors);
        var compile = submission.CompileLimits is null ? null : ResolveLimits(submission.CompileLimits, ExecutionFields.CompileLimits, errors);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var now = clock.GetStoredUtcNow();
        if (await rateLimiter.CheckAsync(submitter, now, cancellationToken) is { } limited)
        {
            return limited;
        }

        if (await db.Set<Execution>().CountAsync(e => e.Status == ExecutionStatus.Queued, cancellationToken) >= settings.MaxQueueDepth)
        {
            return new Error(
                ErrorKind.Unavailable,
                ErrorCodes.QueueFull,
                $"The execution queue holds {settings.MaxQueueDepth} programs or more; try again shortly.",
                RetryAfter: settings.BackpressureRetryAfter);
        }

        var execution = new Execution
        {
            Id = Guid.CreateVersion7(now),
            OwnerId = submitter.UserId,
            RateKey = submitter.RateKey,
            Source = submission.Source,
            Language = runtime!.Language,
            Version = runtime.Version,
            Status = ExecutionStatus.Queued,
            FilesJson = StoredFile.ToJson(files),
            Stdin = submission.Stdin.ToArray(),
            ArgsJson = StoredFile.ArgsToJson(args),
            CpuLimitMs = run!.CpuMs,
            WallLimitMs = run.WallMs,
            MemoryLimitMb = run.MemoryMb,
            CompileCpuLimitMs = compile?.CpuMs,
            CompileWallLimitMs = compile?.WallMs,
            CompileMemoryLimitMb = compile?.MemoryMb,
            CreatedAt = now,
        };
        db.Set<Execution>().Add(execution);

        // One transaction: the execution exists exactly when its job does. The commit wakes this process's
        // execution workers at once (the lane's signal), so nothing waits for a poll interval.
        await queue.EnqueueAsync(JobKind, execution.Id.ToString(), new EnqueueOptions(IdempotencyKey: "execution:" + execution.Id.ToString("N"), MaxAttempts: 3), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(execution).State = EntityState.Detached;
        return execution;
    }

    /// <summary>An execution of <paramref name="ownerId"/>; another user's (or an anonymous one) is not found.</summary>
    public async Task<Result<Execution>> GetAsync(Guid ownerId, Guid executionId, CancellationToken cancellationToken)
    {
        var execution = await db.Set<Execution>().AsNoTracking()
            .FirstOrDefaultAsync(e => e.Id == executionId && e.OwnerId == ownerId, cancellationToken);
        return execution is null ? Error.NotFound("Execution") : execution;
    }

    /// <summary>
    /// Waits until the execution is done or <paramref name="timeout"/> passes, and returns its latest state (null
    /// when it does not exist). Woken in-process by the worker; polls the database for a worker on another server.
    /// </summary>
    public Task<Execution?> WaitAsync(Guid executionId, TimeSpan timeout, CancellationToken cancellationToken) =>
        notifier.WaitAsync(
            executionId,
            token => db.Set<Execution>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == executionId, token),
            e => e.Status is ExecutionStatus.Completed or ExecutionStatus.Failed,
            timeout,
            PollInterval,
            clock,
            cancellationToken);

    public async Task<ExecutionStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var since = now.AddMinutes(-1);
        var executions = db.Set<Execution>().AsNoTracking();
        var depth = await executions.CountAsync(e => e.Status == ExecutionStatus.Queued, cancellationToken);
        var processing = await executions.CountAsync(e => e.Status == ExecutionStatus.Processing, cancellationToken);
        var recent = await executions
            .Where(e => e.CompletedAt != null && e.CompletedAt >= since)
            .OrderByDescending(e => e.CompletedAt)
            .Take(10_000)
            .Select(e => new { e.Status, e.CreatedAt, e.StartedAt, e.CompletedAt })
            .ToListAsync(cancellationToken);
        var waits = recent.Where(e => e.StartedAt is not null).Select(e => (e.StartedAt!.Value - e.CreatedAt).TotalMilliseconds).Order().ToList();
        var runs = recent.Where(e => e.StartedAt is not null).Select(e => (e.CompletedAt!.Value - e.StartedAt!.Value).TotalMilliseconds).Order().ToList();
        return new ExecutionStats(
            depth,
            processing,
            recent.Count(e => e.Status == ExecutionStatus.Completed),
            recent.Count(e => e.Status == ExecutionStatus.Failed),
            Percentile(waits, 0.50),
            Percentile(waits, 0.95),
            Percentile(runs, 0.50),
            Percentile(runs, 0.95),
            executor.GetPoolStats(),
            executor.Health);
    }

    /// <summary>The nearest-rank percentile of sorted values; null when there are none.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double quantile)
    {
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)], 1);
    }

    private static List<StoredFile> ValidateFiles(ExecutionSubmission submission, LanguageRuntime? runtime, FieldErrors errors)
    {
        var field = ExecutionFields.Files;
        if (submission.Files.Count == 0)
        {
            errors.Add(field, "The code is required.");
            return [];
        }

        if (submission.Files.Count > MaxFiles)
        {
            errors.Add(field, $"At most {MaxFiles} files.");
            return [];
        }

        var files = new List<StoredFile>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < submission.Files.Count; i++)
        {
            var file = submission.Files[i];
            // The language's main file name for an unnamed entry point ("main" while the language is unknown: that is the error).
            var name = string.IsNullOrEmpty(file.Name) && i == 0 ? runtime?.MainFile ?? "main" : file.Name;
            if (string.IsNullOrEmpty(name) && i > 0)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"file{i}");
            }

            if (FileNameProblem(name) is { } problem)
            {
                errors.Add(field, problem);
            }
            else if (!names.Add(name))
            {
                errors.Add(field, $"The file name '{name}' is used twice.");
            }

            files.Add(new StoredFile(name, file.Content.ToArray()));
        }

        if (files.Count > 0 && files.All(f => f.Content.Length == 0))
        {
            errors.Add(field, "The code is empty.");
        }

        return files;
    }

    /// <summary>A relative, '/'-separated path of at most 128 characters without '.', '..', empty segments or control characters.</summary>
    public static string? FileNameProblem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A file name is required.";
        }

        if (name.Length > MaxFileNameLength)
        {
            return $"The file name '{name[..32]}...' is longer than {MaxFileNameLength} characters.";
        }

        if (name.StartsWith('/') || name.Any(char.IsControl) || name.Split('/').Any(s => s is "" or "." or ".."))
        {
            return $"The file name '{name}' must be a relative path without '.', '..' or empty segments.";
        }

        return name.StartsWith(".poddle", StringComparison.Ordinal) ? $"The file name '{name}' is reserved." : null;
    }

    private static void ValidateArgs(IReadOnlyList<string> args, FieldErrors errors)
    {
        if (args.Count > MaxArgs)
        {
            errors.Add(ExecutionFields.Args, $"At most {MaxArgs} arguments.");
        }

        if (args.Any(a => a is null || a.Length > MaxArgLength || a.Contains('\0', StringComparison.Ordinal)))
        {
            errors.Add(ExecutionFields.Args, $"Each argument must be a string of at most {MaxArgLength} characters without NUL.");
        }
    }

    private ExecutionLimits? ResolveLimits(LimitRequest? request, FieldPath field, FieldErrors errors)
    {
        var settings = options.Value;
        var defaults = settings.DefaultLimits;
        var max = settings.MaxLimits;
        int Pick(int? asked, int fallback, int maximum, int minimum, string member, string name, string unit)
        {
            if (asked is null)
            {
                return Math.Min(fallback, maximum);
            }

            if (asked < minimum || asked > maximum)
            {
                errors.Add(field.Member(member), $"{name} must be between {minimum} and {maximum} {unit} (got {asked}).");
            }

            return asked.Value;
        }

        var cpu = Pick(request?.CpuMs, defaults.CpuMs, max.CpuMs, 1, nameof(LimitRequest.CpuMs), "cpuMs", "ms");
        var wall = Pick(request?.WallMs, defaults.WallMs, max.WallMs, 1, nameof(LimitRequest.WallMs), "wallMs", "ms");
        var memory = Pick(request?.MemoryMb, defaults.MemoryMb, max.MemoryMb, 16, nameof(LimitRequest.MemoryMb), "memoryMb", "MB");
        return new ExecutionLimits(cpu, wall, memory);
    }
}
