using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>
/// Creating or scaling up a deployment or a pool needs a balance covering <see cref="BillingOptions.GuardHours"/> hours
/// of its price at its new size (the price list in force now, the owner's tier; a pool's workers with their GPU price).
/// Off while billing is off; GuardHours 0 turns off the balance check but not the suspension check: a suspended owner
/// may start nothing. Refusal is a 402 problem that says the amount needed, the balance and the shortfall.
/// </summary>
public sealed class BalanceGuard(PoddleDbContext db, UsageMeter meter, IOptions<BillingOptions> options, TimeProvider clock) : IDeploymentBalanceGuard
{
    public async Task<Error?> CheckAsync(Guid ownerId, ResourceSpec resources, int replicas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (!options.Value.Enabled || replicas <= 0)
        {
            return null;
        }

        var tier = await TierAsync(ownerId, cancellationToken);
        return await CheckPriceAsync(ownerId, meter.HourlyPrice(tier, resources, replicas, clock.GetUtcNow()), $"{replicas} replica(s)", cancellationToken);
    }

    /// <summary>
    /// A pool is priced at the workers its owner asks to run (the caller passes max(minWorkers, 1): minWorkers always run,
    /// and a pool that scales from zero starts one worker at its first job).
    /// </summary>
    public async Task<Error?> CheckWorkersAsync(Guid ownerId, Guid? poolId, ResourceSpec resources, int workers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (!options.Value.Enabled || workers <= 0)
        {
            return null;
        }

        var tier = await TierAsync(ownerId, cancellationToken);
        var perWorker = poolId is { } id ? meter.HourlyWorkerPrice(tier, id, resources, clock.GetUtcNow()) : meter.HourlyPrice(tier, resources, 1, clock.GetUtcNow());
        return await CheckPriceAsync(ownerId, checked(perWorker * workers), $"{workers} pool worker(s)", cancellationToken);
    }

    private Task<UserTier> TierAsync(Guid ownerId, CancellationToken cancellationToken) =>
        db.Set<User>().AsNoTracking().Where(u => u.Id == ownerId).Select(u => u.Tier).FirstOrDefaultAsync(cancellationToken);

    private async Task<Error?> CheckPriceAsync(Guid ownerId, long hourly, string what, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var account = await db.Set<BillingAccount>().AsNoTracking().Where(a => a.OwnerId == ownerId)
            .Select(a => new { a.BalanceMinor, a.SuspendedAt }).FirstOrDefaultAsync(cancellationToken);
        var balance = account?.BalanceMinor ?? 0;
        var currency = settings.Currency;
        if (account?.SuspendedAt is { } suspendedAt)
        {
            return new Error(
                ErrorKind.PaymentRequired,
                BillingErrorCodes.AccountSuspended,
                string.Create(CultureInfo.InvariantCulture,
                    $"Your account is suspended since {suspendedAt:yyyy-MM-dd HH:mm} UTC because its balance is below zero ({Money.Format(balance, currency)}): nothing can be started or scaled up. Add funds (`poddle billing fund`); your deployments resume on their own once the balance is above zero."),
                Details: new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    ["currency"] = currency,
                    ["balanceMinor"] = balance,
                    ["suspendedAt"] = suspendedAt,
                });
        }

        var needed = checked(hourly * settings.GuardHours);
        if (settings.GuardHours == 0 || balance >= needed)
        {
            return null;
        }

        return new Error(
            ErrorKind.PaymentRequired,
            BillingErrorCodes.InsufficientBalance,
            string.Create(CultureInfo.InvariantCulture,
                $"{what} cost {hourly} {currency} minor units an hour; the balance must cover {settings.GuardHours} hours ({needed}) but is {balance}. Add {needed - balance} to your balance first."),
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
