using Microsoft.Extensions.Options;

namespace Poddle.Core.Curriculum.Submissions;

/// <summary>The grading queue (configuration section "Grading", e.g. PODDLE_Grading__Concurrency). Validated at start.</summary>
public sealed class GradingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Grading";

    /// <summary>
    /// Submissions graded at once in this process (the "grading" job lane); 0 grades none here. Lower than plain runs'
    /// by default: one submission runs many cases (<see cref="MaxParallelRuns"/> at a time), so plain runs keep room.
    /// </summary>
    public int Concurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Sandbox runs of one submission at once (stdin cases run one program each).</summary>
    public int MaxParallelRuns { get; set; } = 2;

    /// <summary>Above this many queued submissions, new ones get 503 with Retry-After (backpressure).</summary>
    public int MaxQueueDepth { get; set; } = 200;

    /// <summary>How long <c>?wait=true</c> holds the request before answering 202.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most submissions one list request returns.</summary>
    public const int MaxListLimit = 100;
}

/// <summary>Names the configuration key of every bad value.</summary>
public sealed class GradingOptionsValidator : IValidateOptions<GradingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GradingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Concurrency is < 0 or > 1024)
        {
            failures.Add($"Grading:Concurrency must be between 0 and 1024 (got {options.Concurrency}).");
        }

        if (options.MaxParallelRuns is < 1 or > 64)
        {
            failures.Add($"Grading:MaxParallelRuns must be between 1 and 64 (got {options.MaxParallelRuns}).");
        }

        if (options.MaxQueueDepth < 1)
        {
            failures.Add($"Grading:MaxQueueDepth must be at least 1 (got {options.MaxQueueDepth}).");
        }

        if (options.WaitTimeout <= TimeSpan.Zero || options.WaitTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Grading:WaitTimeout must be between 0 and 00:10:00 (got {options.WaitTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
