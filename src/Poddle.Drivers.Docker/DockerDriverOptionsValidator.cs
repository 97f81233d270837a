using Microsoft.Extensions.Options;

namespace Poddle.Drivers.Docker;

/// <summary>Checks <see cref="DockerDriverOptions"/> (section "Docker"); every failure names the key to fix.</summary>
public sealed class DockerDriverOptionsValidator : IValidateOptions<DockerDriverOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DockerDriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PidsLimit is < 16 or > 4_194_304)
        {
            failures.Add($"{DockerDriverOptions.SectionName}:PidsLimit must be between 16 and 4194304 (processes and threads per container).");
        }

        if (options.LogMaxSizeMb is < 1 or > 1024)
        {
            failures.Add($"{DockerDriverOptions.SectionName}:LogMaxSizeMb must be between 1 and 1024 (MiB).");
        }

        if (options.LogMaxFiles is < 1 or > 100)
        {
            failures.Add($"{DockerDriverOptions.SectionName}:LogMaxFiles must be between 1 and 100.");
        }

        if (options.TmpfsSizeMb is < 1 or > 65536)
        {
            failures.Add($"{DockerDriverOptions.SectionName}:TmpfsSizeMb must be between 1 and 65536 (MiB).");
        }

        if (options.StopTimeout < TimeSpan.Zero || options.StopTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{DockerDriverOptions.SectionName}:StopTimeout must be between 00:00:00 and 01:00:00.");
        }

        if (string.IsNullOrWhiteSpace(options.Network))
        {
            failures.Add($"{DockerDriverOptions.SectionName}:Network must name a Docker network (\"bridge\" by default).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
