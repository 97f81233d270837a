using Microsoft.EntityFrameworkCore;
using Poddle.Core.Persistence;

namespace Poddle.Core.Deployments;

/// <summary>An owner's tier and its limits (<see cref="DeploymentOptions.Tiers"/>), for deployments and pools alike.</summary>
internal static class OwnerTiers
{
    /// <summary>The owner's tier and its limits; admins are exempt from tier limits (they run the platform).</summary>
    public static async Task<(string Name, TierLimits Limits)> OfAsync(PoddleDbContext db, DeploymentOptions options, Guid ownerId, CancellationToken cancellationToken)
    {
        var owner = await db.Users.Where(u => u.Id == ownerId).Select(u => new { u.Tier, u.Role }).FirstOrDefaultAsync(cancellationToken);
        if (owner?.Role == Accounts.UserRole.Admin)
        {
            return ("admin", TierLimits.Unlimited);
        }

        var tier = owner?.Tier ?? default;
        var name = tier.ToString().ToLowerInvariant();
        var tiers = options.Tiers;
        var limits = tiers.TryGetValue(name, out var found)
            ? found
            : tiers.FirstOrDefault(t => string.Equals(t.Key, name, StringComparison.OrdinalIgnoreCase)).Value
              ?? throw new InvalidOperationException($"Deployments:Tiers:{name} is not configured.");
        return (name, limits);
    }
}
