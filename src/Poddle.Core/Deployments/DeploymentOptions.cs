using Microsoft.Extensions.Options;

namespace Poddle.Core.Deployments;

/// <summary>Deployments settings (section "Deployments"), validated at start.</summary>
public sealed class DeploymentOptions
{
    public const string SectionName = "Deployments";

    /// <summary>Apps are reached at {deployment}-{project}.{BaseDomain}; "localhost" works in browsers without DNS.</summary>
    public string BaseDomain { get; set; } = "localhost";

    /// <summary>
    /// Base64 of a 32-byte key that encrypts secrets at rest. When empty, a key is generated into the data directory
    /// (secrets.key, mode 0600) on first start and read from there afterwards.
    /// </summary>
    public string? SecretKey { get; set; }

    /// <summary>The driver of a deployment that names none and runs a command.</summary>
    public string DefaultCommandDriver { get; set; } = "sandbox";

    /// <summary>The driver of a deployment that names none and runs an image.</summary>
    public string DefaultImageDriver { get; set; } = "docker";

    /// <summary>How often desired state is compared with every driver's pods.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a rollout may wait for the new revision's replicas to become ready before rolling back.</summary>
    public TimeSpan ProgressDeadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A deployment pending or provisioning for longer is diagnosed and failed (or retried).</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Pods labelled as this installation's but unknown to it are stopped after this long.</summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time a replica gets between SIGTERM and SIGKILL when it is stopped.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest source bundle (tar.gz) accepted.</summary>
    public long MaxSourceBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Limits per tier (keys are tier names: free, pro).</summary>
    public Dictionary<string, TierLimits> Tiers { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = new TierLimits { MaxDeployments = 3, MaxReplicas = 2, MaxCpuMillicores = 1000, MaxMemoryMb = 512 },
        ["pro"] = new TierLimits { MaxDeployments = 50, MaxReplicas = 10, MaxCpuMillicores = 4000, MaxMemoryMb = 8192 },
    };
}

/// <summary>What one tier may ask for. CPU and memory are per replica.</summary>
public sealed class TierLimits
{
    /// <summary>No limit at all: what admins get (they are exempt from tier limits).</summary>
    public static TierLimits Unlimited => new() { MaxDeployments = int.MaxValue, MaxReplicas = int.MaxValue, MaxCpuMillicores = int.MaxValue, MaxMemoryMb = int.MaxValue };

    public int MaxDeployments { get; set; }

    public int MaxReplicas { get; set; }

    public int MaxCpuMillicores { get; set; }

    public int MaxMemoryMb { get; set; }
}

internal sealed class DeploymentOptionsValidator : IValidateOptions<DeploymentOptions>
{
    public ValidateOptionsResult Validate(string? name, DeploymentOptions options)
    {
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

        if (options.StopGracePeriod < TimeSpan.Zero || options.OrphanGracePeriod < TimeSpan.Zero)
        {
            failures.Add("Deployments:StopGracePeriod and Deployments:OrphanGracePeriod must not be negative.");
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
