using Microsoft.Extensions.Options;

namespace Poddle.Drivers.Sandbox;

/// <summary>
/// Checks <see cref="SandboxExecutionOptions"/> (section "Sandbox:Execution") with <see cref="SandboxExecutionOptions.Validate"/>;
/// every failure names the key under that section.
/// </summary>
public sealed class SandboxExecutionOptionsValidator : IValidateOptions<SandboxExecutionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SandboxExecutionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{SandboxExecutionOptions.SectionName}: {string.Join(" ", problems)}");
    }
}
