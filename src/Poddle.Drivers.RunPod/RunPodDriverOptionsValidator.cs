using Microsoft.Extensions.Options;

namespace Poddle.Drivers.RunPod;

/// <summary>Checks <see cref="RunPodDriverOptions"/> (section "RunPod"); every failure names the key to fix (never the key's value).</summary>
public sealed class RunPodDriverOptionsValidator : IValidateOptions<RunPodDriverOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RunPodDriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string s = RunPodDriverOptions.SectionName;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiKey) || options.ApiKey.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            failures.Add($"{s}:ApiKey must be set to a RunPod API key (no spaces); set it with PODDLE_RunPod__ApiKey, or turn the driver off with {s}:Enabled=false.");
        }

        if (!options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme is not ("https" or "http"))
        {
            failures.Add($"{s}:Endpoint must be an absolute http(s) URL (https://api.runpod.io/graphql).");
        }
        else if (options.Endpoint.Scheme == "http" && !options.Endpoint.IsLoopback)
        {
            failures.Add($"{s}:Endpoint must use https (the API key travels with every call); plain http only for a loopback test server.");
        }

        if (options.CallTimeout < TimeSpan.FromMilliseconds(10) || options.CallTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{s}:CallTimeout must be between 00:00:00.010 and 00:05:00.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"{s}:MaxRetries must be between 0 and 10.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{s}:RetryDelay must be between 00:00:00 and 00:01:00.");
        }

        if (options.BreakerMinimumThroughput is < 2 or > 1000)
        {
            failures.Add($"{s}:BreakerMinimumThroughput must be between 2 and 1000.");
        }

        if (options.BreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || options.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add($"{s}:BreakerSamplingDuration and {s}:BreakDuration must be at least 00:00:00.500.");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10) || options.PollInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{s}:PollInterval must be between 00:00:00.010 and 00:05:00.");
        }

        if (options.NamePrefix.Length > 20 || options.NamePrefix.Any(char.IsControl))
        {
            failures.Add($"{s}:NamePrefix must be at most 20 characters without control characters.");
        }

        if (options.DefaultContainerDiskGb is < 1 or > 2000)
        {
            failures.Add($"{s}:DefaultContainerDiskGb must be between 1 and 2000 (GB).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
