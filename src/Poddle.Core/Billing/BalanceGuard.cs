using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>
/// Creating or scaling up a deployment needs a balance covering <see cref="BillingOptions.GuardHours"/> hours of the
/// deployment's price at its new size (the price list in force now, the owner's tier). Off while billing is off or
/// GuardHours is 0. Refusal is a 402 problem that says the amount needed, the balance and the shortfall.
/// </summary>
public sealed class BalanceGuard(PoddleDbContext db, UsageMeter meter, IOptions<BillingOptions> options, TimeProvider clock) : IDeploymentBalanceGuard
{
    public async Task<Error?> CheckAsync(Guid ownerId, ResourceSpec resources, int replicas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var settings = options.Value;
        if (!settings.Enabled || settings.GuardHours == 0 || replicas <= 0)
        {
            return null;
        }

        var tier = await db.Set<User>().AsNoTracking().Where(u => u.Id == ownerId).Select(u => u.Tier).FirstOrDefaultAsync(cancellationToken);
        var hourly = meter.HourlyPrice(tier, resources, replicas, clock.GetUtcNow());
        var needed = checked(hourly * settings.GuardHours);
        var balance = await db.Set<BillingAccount>().AsNoTracking().Where(a => a.OwnerId == ownerId)
            .Select(a => (long?)a.BalanceMinor).FirstOrDefaultAsync(cancellationToken) ?? 0;
        if (balance >= needed)
        {
            return null;
        }

        var currency = settings.Currency;
        return new Error(
            ErrorKind.PaymentRequired,
            BillingErrorCodes.InsufficientBalance,
            string.Create(CultureInfo.InvariantCulture,
                $"{replicas} replica(s) cost {hourly} {currency} minor units an hour; the balance must cover {settings.GuardHours} hours ({needed}) but is {balance}. Add {needed - balance} to your balance first."),
            Details: new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["currency"] = currency,
                ["neededMinor"] = needed,
                ["balanceMinor"] = balance,
                ["shortfallMinor"] = needed - balance,
                ["hourlyMinor"] = hourly,
                ["hours"] = settings.GuardHours,
            });
    }
}
