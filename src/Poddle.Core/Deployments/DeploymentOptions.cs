using Poddle.Drivers.Abstractions.Pods;

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
    public string DefaultCommandDriver { get; set; } = PodDriverNames.Sandbox;

    /// <summary>The driver of a deployment that names none and runs an image.</summary>
    public string DefaultImageDriver { get; set; } = PodDriverNames.Docker;

    /// <summary>How often desired state is compared with every driver's pods.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a rollout may wait for the new revision's replicas to become ready before rolling back.</summary>
    public TimeSpan ProgressDeadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A deployment pending or provisioning for longer is diagnosed and failed (or retried).</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(10);

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
