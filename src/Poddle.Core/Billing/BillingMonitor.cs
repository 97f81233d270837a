using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>
/// Watches balances: warns an owner whose balance lasts less than three days, less than one day (at the current burn:
/// the hourly price of what runs now) and at zero; suspends an owner whose balance has been below zero for
/// <see cref="BillingOptions.SuspendAfter"/>; resumes a suspended owner whose balance is above zero again. Runs after each
/// rating run for every account, and for one owner after each credit (<see cref="CheckOwnerAsync"/>: an admin's credit
/// today, a payment's tomorrow). Every step is idempotent and safe with two servers: a notice is unique per (owner, kind,
/// funding period), and suspension and resume are conditional updates of the account row, so one server wins each.
/// </summary>
public sealed class BillingMonitor(
    PoddleDbContext db,
    UsageMeter meter,
    BillingSuspension suspension,
    BillingNotices notices,
    IOptions<BillingOptions> options,
    TimeProvider clock)
{
    /// <summary>Warn when the balance lasts less than this many hours at the current burn (the three-day warning).</summary>
    public const long ThreeDaysHours = 72;

    /// <summary>Warn when the balance lasts less than this many hours at the current burn (the one-day warning).</summary>
    public const long OneDayHours = 24;

    /// <summary>Checks every account; returns how many owners it suspended or resumed.</summary>
    public async Task<int> CheckAllAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        var accounts = await db.Set<BillingAccount>().AsNoTracking()
            .Select(a => new { a.OwnerId, a.BalanceMinor, a.SuspendedAt }).ToListAsync(cancellationToken);
        var burn = await meter.HourlyBurnAsync(now, cancellationToken);
        var changed = 0;
        foreach (var account in accounts)
        {
            if (await CheckAsync(account.OwnerId, account.BalanceMinor, account.SuspendedAt, burn.GetValueOrDefault(account.OwnerId), cancellationToken))
            {
                changed++;
            }
        }

        return changed;
    }

    /// <summary>
    /// Checks one owner now: warnings, suspension, resume. Call it after any credit has committed (a payment provider's
    /// credit calls it exactly like the admin's): a suspended owner whose balance is above zero is resumed at once.
    /// </summary>
    public async Task CheckOwnerAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var account = await db.Set<BillingAccount>().AsNoTracking().Where(a => a.OwnerId == ownerId)
            .Select(a => new { a.BalanceMinor, a.SuspendedAt }).FirstOrDefaultAsync(cancellationToken);
        if (account is null)
        {
            return;
        }

        var burn = await meter.HourlyBurnAsync(clock.GetUtcNow(), cancellationToken, ownerId);
        await CheckAsync(ownerId, account.BalanceMinor, account.SuspendedAt, burn.GetValueOrDefault(ownerId), cancellationToken);
    }

    /// <summary>
    /// The warning level of a balance at an hourly burn: <see cref="BillingNoticeKinds.Depleted"/> below zero (or at zero
    /// while something runs), one day, three days, or null. Integer arithmetic: "lasts less than 24 h" is balance &lt; 24 × burn.
    /// </summary>
    public static string? WarningOf(long balanceMinor, long hourlyMinor) => (balanceMinor, hourlyMinor) switch
    {
        ( < 0, _) or (0, > 0) => BillingNoticeKinds.Depleted,
        (_, > 0) when balanceMinor < OneDayHours * hourlyMinor => BillingNoticeKinds.LowOneDay,
        (_, > 0) when balanceMinor < ThreeDaysHours * hourlyMinor => BillingNoticeKinds.LowThreeDays,
        _ => null,
    };

    /// <summary>When a positive balance runs out at <paramref name="hourlyMinor"/> from <paramref name="now"/>; null when nothing runs or it is out already.</summary>
    public static DateTimeOffset? RunsOutAt(long balanceMinor, long hourlyMinor, DateTimeOffset now) =>
        hourlyMinor <= 0 || balanceMinor <= 0
            ? null
            : now.AddSeconds(Math.Min(balanceMinor * UsageMeter.SecondsPerHour / hourlyMinor, (long)TimeSpan.FromDays(3660).TotalSeconds));

    private async Task<bool> CheckAsync(Guid ownerId, long balance, DateTimeOffset? suspendedAt, long burn, CancellationToken cancellationToken)
    {
        var period = await notices.PeriodAsync(ownerId, cancellationToken);
        if (WarningOf(balance, burn) is { } warning)
        {
            await notices.NotifyAsync(ownerId, warning, period, balance, WarningMessage(warning, balance, burn), cancellationToken);
        }

        if (balance < 0 && suspendedAt is null)
        {
            var overdrawnSince = await OverdrawnSinceAsync(ownerId, cancellationToken);
            if (overdrawnSince is { } since && clock.GetUtcNow() - since >= options.Value.SuspendAfter)
            {
                return await suspension.SuspendAsync(ownerId, period, balance, cancellationToken);
            }
        }
        else if (balance > 0 && suspendedAt is not null)
        {
            return await suspension.ResumeAsync(ownerId, period, balance, cancellationToken);
        }

        return false;
    }

    /// <summary>When the balance last went below zero: the entry after the owner's latest entry that left it at zero or above.</summary>
    private async Task<DateTimeOffset?> OverdrawnSinceAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var entries = db.Set<LedgerEntry>().AsNoTracking().Where(e => e.OwnerId == ownerId);
        var lastCovered = await entries.Where(e => e.BalanceAfterMinor >= 0).MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        return await entries.Where(e => e.Sequence == lastCovered + 1).Select(e => (DateTimeOffset?)e.CreatedAt).FirstOrDefaultAsync(cancellationToken);
    }

    private string WarningMessage(string warning, long balance, long burn)
    {
        var currency = options.Value.Currency;
        var money = Money.Format(balance, currency);
        var runsOut = RunsOutAt(balance, burn, clock.GetUtcNow());
        var at = runsOut is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : null;
        return warning switch
        {
            BillingNoticeKinds.Depleted => options.Value.SuspendAfter == TimeSpan.Zero
                ? $"Your balance is {money}. Your deployments and pools are suspended until it is above zero; add funds with `poddle billing fund`."
                : $"Your balance is {money}. If it stays below zero for {options.Value.SuspendAfter}, your deployments and pools are suspended (scaled to zero, nothing deleted) until it is above zero again. Add funds with `poddle billing fund`.",
            _ => $"Your balance of {money} lasts until about {at} at the current usage ({Money.Format(burn, currency)} an hour). Add funds with `poddle billing fund` to keep your deployments running.",
        };
    }
}
