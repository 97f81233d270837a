using Microsoft.Extensions.Options;

namespace Poddle.Core.Deployments;

/// <summary>Checks <see cref="DeploymentOptions"/> (section "Deployments"); every failure names the key to set.</summary>
public sealed class DeploymentOptionsValidator : IValidateOptions<DeploymentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DeploymentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BaseDomain) || options.BaseDomain.StartsWith('.') || options.BaseDomain.EndsWith('.'))
        {
            failures.Add("Deployments:BaseDomain must be a host name such as 'localhost' or 'apps.example.com'.");
        }

        if (!string.IsNullOrEmpty(options.SecretKey))
        {
            var bytes = new byte[64];
            if (!Convert.TryFromBase64String(options.SecretKey, bytes, out var length) || length != 32)
            {
                failures.Add("Deployments:SecretKey must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`).");
            }
        }

        if (options.ReconcileInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add("Deployments:ReconcileInterval must be at least 00:00:01.");
        }

        if (options.ProgressDeadline < TimeSpan.FromSeconds(5))
        {
            failures.Add("Deployments:ProgressDeadline must be at least 00:00:05.");
        }

        if (options.StuckAfter < options.ProgressDeadline)
        {
            failures.Add("Deployments:StuckAfter must not be shorter than Deployments:ProgressDeadline.");
        }

        if (options.StopGracePeriod < TimeSpan.Zero)
        {
            failures.Add("Deployments:StopGracePeriod must not be negative.");
        }

        if (options.MaxSourceBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            failures.Add("Deployments:MaxSourceBytes must be between 1024 and 1073741824.");
        }

        foreach (var tier in new[] { "free", "pro" })
        {
            if (!options.Tiers.TryGetValue(tier, out var limits))
            {
                failures.Add($"Deployments:Tiers:{tier} is missing.");
            }
            else if (limits.MaxDeployments < 0 || limits.MaxReplicas < 1 || limits.MaxCpuMillicores < 10 || limits.MaxMemoryMb < 16)
            {
                failures.Add($"Deployments:Tiers:{tier} needs MaxDeployments >= 0, MaxReplicas >= 1, MaxCpuMillicores >= 10, MaxMemoryMb >= 16.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
