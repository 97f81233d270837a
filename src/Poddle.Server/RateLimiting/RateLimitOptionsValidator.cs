using Microsoft.Extensions.Options;

namespace Poddle.Server.RateLimiting;

/// <summary>Names the configuration key of every bad value so the operator knows what to fix.</summary>
public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        Check(failures, nameof(RateLimitOptions.Registration), options.Registration);
        Check(failures, nameof(RateLimitOptions.PasswordReset), options.PasswordReset);
        Check(failures, nameof(RateLimitOptions.ApiPerUser), options.ApiPerUser);
        Check(failures, nameof(RateLimitOptions.ApiPerIp), options.ApiPerIp);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string name, FixedWindowLimit? limit)
    {
        var key = $"{RateLimitOptions.SectionName}:{name}";
        if (limit is null)
        {
            failures.Add($"{key} is missing.");
            return;
        }

        if (limit.PermitLimit is < 1 or > 1_000_000)
        {
            failures.Add($"{key}:PermitLimit must be between 1 and 1000000 (got {limit.PermitLimit}).");
        }

        if (limit.Window < TimeSpan.FromSeconds(1) || limit.Window > TimeSpan.FromDays(1))
        {
            failures.Add($"{key}:Window must be between 00:00:01 and 1.00:00:00 (got {limit.Window}).");
        }
    }
}
