using Microsoft.Extensions.Options;

namespace Poddle.Core.Pools;

/// <summary>Checks <see cref="PoolOptions"/> (section "Pools"); every failure names the key to set.</summary>
public sealed class PoolOptionsValidator : IValidateOptions<PoolOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxPoolsPerOwner < 0)
        {
            failures.Add("Pools:MaxPoolsPerOwner must be 0 or more.");
        }

        if (options.MaxExecutionTimeout < TimeSpan.FromSeconds(1) || options.MaxExecutionTimeout > TimeSpan.FromDays(7))
        {
            failures.Add("Pools:MaxExecutionTimeout must be between 00:00:01 and 7.00:00:00.");
        }

        if (options.MaxTtl < TimeSpan.FromSeconds(10) || options.MaxTtl > TimeSpan.FromDays(30))
        {
            failures.Add("Pools:MaxTtl must be between 00:00:10 and 30.00:00:00.");
        }

        if (options.MaxPayloadBytes is < 1024 or > 100 * 1024 * 1024)
        {
            failures.Add("Pools:MaxPayloadBytes must be between 1024 and 104857600.");
        }

        if (options.MaxQueuedJobs < 1)
        {
            failures.Add("Pools:MaxQueuedJobs must be at least 1.");
        }

        if (options.MaxWait < TimeSpan.FromSeconds(1) || options.MaxWait > TimeSpan.FromMinutes(30))
        {
            failures.Add("Pools:MaxWait must be between 00:00:01 and 00:30:00.");
        }

        if (options.DefaultWait < TimeSpan.Zero || options.DefaultWait > options.MaxWait)
        {
            failures.Add("Pools:DefaultWait must be between 00:00:00 and Pools:MaxWait.");
        }

        if (options.StreamWait < TimeSpan.Zero || options.StreamWait > TimeSpan.FromMinutes(1))
        {
            failures.Add("Pools:StreamWait must be between 00:00:00 and 00:01:00.");
        }

        if (options.TakeWait < TimeSpan.Zero || options.TakeWait > TimeSpan.FromMinutes(1))
        {
            failures.Add("Pools:TakeWait must be between 00:00:00 and 00:01:00.");
        }

        if (options.PingInterval < TimeSpan.FromSeconds(1) || options.PingInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add("Pools:PingInterval must be between 00:00:01 and 00:05:00.");
        }

        if (options.WebhookAttempts is < 1 or > 20)
        {
            failures.Add("Pools:WebhookAttempts must be between 1 and 20.");
        }

        if (options.WebhookTimeout < TimeSpan.FromSeconds(1) || options.WebhookTimeout > TimeSpan.FromMinutes(2))
        {
            failures.Add("Pools:WebhookTimeout must be between 00:00:01 and 00:02:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
