using System.Globalization;
using Microsoft.Extensions.Options;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Checks <see cref="SandboxOptions"/> (section "Sandbox", shared by code execution and the pod driver); every failure
/// names the key to set. Rejects only values no sandbox can run with, so a host that starts with the defaults (or
/// without bubblewrap, where the sandbox reports itself unavailable) still starts.
/// </summary>
public sealed class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = SandboxOptions.SectionName;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BwrapPath))
        {
            failures.Add($"{Section}:BwrapPath must name the bubblewrap binary (e.g. /usr/bin/bwrap).");
        }

        if (options.SandboxUid < 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:SandboxUid must be a uid, 0 or more (got {options.SandboxUid})."));
        }

        if (options.SandboxGid < 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:SandboxGid must be a gid, 0 or more (got {options.SandboxGid})."));
        }

        if (options.PollInterval < TimeSpan.Zero)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:PollInterval must not be negative (got {options.PollInterval})."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
