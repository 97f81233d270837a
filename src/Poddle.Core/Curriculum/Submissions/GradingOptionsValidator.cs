using Microsoft.Extensions.Options;

namespace Poddle.Core.Curriculum.Submissions;

/// <summary>Checks <see cref="GradingOptions"/> (section "Grading"); every failure names the key to set.</summary>
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
