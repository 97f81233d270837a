namespace Poddle.Core.Deployments;

/// <summary>The stable error codes of deployments and their custom domains.</summary>
public static class DeploymentErrorCodes
{
    /// <summary>Over the limits of the account's tier (403, not 422: the request is well formed).</summary>
    public const string TierLimit = "tier-limit";
    public const string DeploymentNameTaken = "deployment-name-taken";
    public const string DeploymentDeleted = "deployment-deleted";
    public const string DomainTaken = "domain-taken";
    public const string DomainLimit = "domain-limit";
    public const string DomainNotVerified = "domain-not-verified";
    public const string DnsUnavailable = "dns-unavailable";
}
