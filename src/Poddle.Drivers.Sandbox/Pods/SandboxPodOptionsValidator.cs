using Microsoft.Extensions.Options;

namespace Poddle.Drivers.Sandbox.Pods;

/// <summary>Checks <see cref="SandboxPodOptions"/> (section "Sandbox:Pods"); every failure names the key to set.</summary>
public sealed class SandboxPodOptionsValidator : IValidateOptions<SandboxPodOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SandboxPodOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Path.IsPathFullyQualified(options.StateDirectory))
        {
            failures.Add($"{SandboxPodOptions.SectionName}:StateDirectory must be an absolute path (got '{options.StateDirectory}').");
        }

        if (options.PortRangeStart is < 1024 or > 65535)
        {
            failures.Add($"{SandboxPodOptions.SectionName}:PortRangeStart must be between 1024 and 65535 (got {options.PortRangeStart}).");
        }

        if (options.PortRangeEnd < options.PortRangeStart || options.PortRangeEnd > 65535)
        {
            failures.Add($"{SandboxPodOptions.SectionName}:PortRangeEnd must be between {SandboxPodOptions.SectionName}:PortRangeStart and 65535 (got {options.PortRangeEnd}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
