using Microsoft.Extensions.Options;

namespace Poddle.Core.Fleet;

/// <summary>Checks <see cref="FleetOptions"/>; every failure names the key to set.</summary>
public sealed class FleetOptionsValidator : IValidateOptions<FleetOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ReconcileInterval < TimeSpan.FromSeconds(1) || options.ReconcileInterval > TimeSpan.FromHours(24))
        {
            failures.Add("Fleet:ReconcileInterval must be between 00:00:01 and 1.00:00:00.");
        }

        if (options.OrphanGrace < TimeSpan.Zero || options.OrphanGrace > TimeSpan.FromDays(7))
        {
            failures.Add("Fleet:OrphanGrace must be between 00:00:00 and 7.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
