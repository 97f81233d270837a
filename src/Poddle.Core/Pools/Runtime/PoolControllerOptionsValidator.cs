using Microsoft.Extensions.Options;

namespace Poddle.Core.Pools.Runtime;

/// <summary>Checks <see cref="PoolControllerOptions"/>; every failure names the key to set.</summary>
public sealed class PoolControllerOptionsValidator : IValidateOptions<PoolControllerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PoolControllerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Tick < TimeSpan.FromMilliseconds(100) || options.Tick > TimeSpan.FromMinutes(5))
        {
            failures.Add("Pools:Controller:Tick must be between 00:00:00.1 and 00:05:00.");
        }

        if (options.StartTimeout < TimeSpan.FromSeconds(1) || options.StartTimeout > TimeSpan.FromHours(1))
        {
            failures.Add("Pools:Controller:StartTimeout must be between 00:00:01 and 01:00:00.");
        }

        if (options.EventsKept is < 10 or > 10000)
        {
            failures.Add("Pools:Controller:EventsKept must be between 10 and 10000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
