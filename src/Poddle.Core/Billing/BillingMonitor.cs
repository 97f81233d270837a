using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing;

/// <summary>
/// Watches balances: warns an owner whose balance lasts less than three days, less than one day (at the current burn:
/// the hourly price of what runs now) and at zero; suspends an owner whose balance has been below zero for
/// <see cref="BillingOptions.SuspendAfter"/>; resumes a suspended owner whose balance is above zero again. Runs after each
/// rating run and every <see cref="BillingOptions.MonitorInterval"/> (<see cref="BillingMonitorLoop"/>) for every account,
/// and for one owner after each credit (<see cref="CheckOwnerAsync"/>: an admin's or a payment's). What it judges is the
/// balance available now: the ledger balance less the usage not rated yet (<see cref="UsageMeter.UnratedAsync"/>), so a
/// burn that spends the balance within the hour is warned about and suspended then, not an hour later when it is rated. Every step is idempotent and safe with two servers: a notice is unique per (owner, kind,
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

    /// <summary>How far back a pass reads stored notices to skip them (older ones are still refused by the unique key).</summary>
    public static readonly TimeSpan NoticeCacheWindow = TimeSpan.FromDays(92);

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
        var unrated = await meter.UnratedAsync(now, cancellationToken);
        var available = accounts.ToDictionary(a => a.OwnerId, a => a.BalanceMinor - unrated.GetValueOrDefault(a.OwnerId));

        // A constant number of queries for the warnings, whatever the number of accounts: the periods and the notices
        // already stored (cache) in one query each, the new notices in batches. Warnings first, so a pass that also
        // suspends stores the warning before the suspension.
        var periods = await notices.PeriodsAsync(cancellationToken);
        var stored = await notices.StoredSinceAsync(now - NoticeCacheWindow, cancellationToken);
        var due = new List<PendingNotice>();
        foreach (var account in accounts)
        {
            var hourly = burn.GetValueOrDefault(account.OwnerId);
            var period = periods.GetValueOrDefault(account.OwnerId);
            var balance = available[account.OwnerId];
            if (WarningOf(balance, hourly) is { } warning && !stored.Contains((account.OwnerId, warning, period)))
            {
                due.Add(new PendingNotice(account.OwnerId, warning, period, balance, WarningMessage(warning, balance, hourly)));
            }
        }

        await notices.NotifyManyAsync(due, cancellationToken);
        var overdrawn = await OverdrawnPastGraceAsync(
            [.. accounts.Where(a => available[a.OwnerId] < 0 && a.SuspendedAt is null).Select(a => a.OwnerId)], periods, cancellationToken);
        var changed = 0;
        foreach (var account in accounts)
        {
            if (await SuspendOrResumeAsync(account.OwnerId, available[account.OwnerId], account.SuspendedAt, periods.GetValueOrDefault(account.OwnerId), overdrawn, cancellationToken))
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

        var now = clock.GetUtcNow();
        var burn = await meter.HourlyBurnAsync(now, cancellationToken, ownerId);
        var unrated = await meter.UnratedAsync(now, cancellationToken, ownerId);
        await CheckAsync(ownerId, account.BalanceMinor - unrated.GetValueOrDefault(ownerId), account.SuspendedAt, burn.GetValueOrDefault(ownerId), cancellationToken);
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

    // balance: what is available now, the ledger's balance less the usage not rated yet.
    private async Task<bool> CheckAsync(Guid ownerId, long balance, DateTimeOffset? suspendedAt, long burn, CancellationToken cancellationToken)
    {
        var period = await notices.PeriodAsync(ownerId, cancellationToken);
        if (WarningOf(balance, burn) is { } warning)
        {
            await notices.NotifyAsync(ownerId, warning, period, balance, WarningMessage(warning, balance, burn), cancellationToken);
        }

        var overdrawn = balance < 0 && suspendedAt is null ? await OverdrawnPastGraceAsync([ownerId], new() { [ownerId] = period }, cancellationToken) : [];
        return await SuspendOrResumeAsync(ownerId, balance, suspendedAt, period, overdrawn, cancellationToken);
    }

    /// <summary>Suspends an owner below zero past the grace (<paramref name="overdrawn"/>), resumes a suspended one above zero; true when it did either.</summary>
    private async Task<bool> SuspendOrResumeAsync(Guid ownerId, long balance, DateTimeOffset? suspendedAt, long period, HashSet<Guid> overdrawn, CancellationToken cancellationToken)
    {
        if (balance < 0 && suspendedAt is null && overdrawn.Contains(ownerId))
        {
            return await suspension.SuspendAsync(ownerId, period, balance, cancellationToken);
        }

        if (balance > 0 && suspendedAt is not null)
        {
            return await suspension.ResumeAsync(ownerId, period, balance, cancellationToken);
        }

        return false;
    }

    /// <summary>
    /// Of <paramref name="owners"/> (available balances below zero), those below zero for <see cref="BillingOptions.SuspendAfter"/>
    /// or longer. Usage not rated yet takes a balance below zero without a ledger entry: then the zero notice of the
    /// owner's funding period (<paramref name="periods"/>), stored by the first check that saw it, marks when. Otherwise
    /// the ledger balance went below zero with the entry after the owner's last entry that left it at zero or above
    /// (sequence L, 0 if none); it has been below zero since at least the cutoff exactly when an entry after L was
    /// appended at or before the cutoff, i.e. when the last sequence appended by the cutoff is above L (entries are
    /// appended in time order). Two grouped queries for any number of owners.
    /// </summary>
    private async Task<HashSet<Guid>> OverdrawnPastGraceAsync(List<Guid> owners, Dictionary<Guid, long> periods, CancellationToken cancellationToken)
    {
        if (owners.Count == 0)
        {
            return [];
        }

        var cutoff = clock.GetStoredUtcNow() - options.Value.SuspendAfter;
        var entries = db.Set<LedgerEntry>().AsNoTracking().Where(e => owners.Contains(e.OwnerId));
        var covered = await entries.Where(e => e.BalanceAfterMinor >= 0).GroupBy(e => e.OwnerId)
            .Select(g => new { Owner = g.Key, Last = g.Max(e => e.Sequence) }).ToDictionaryAsync(x => x.Owner, x => x.Last, cancellationToken);
        var byCutoff = await entries.Where(e => e.CreatedAt <= cutoff).GroupBy(e => e.OwnerId)
            .Select(g => new { Owner = g.Key, Last = g.Max(e => e.Sequence) }).ToDictionaryAsync(x => x.Owner, x => x.Last, cancellationToken);
        var noticed = (await db.Set<BillingNotice>().AsNoTracking()
            .Where(n => owners.Contains(n.OwnerId) && n.Kind == BillingNoticeKinds.Depleted && n.CreatedAt <= cutoff)
            .Select(n => new { n.OwnerId, n.Period }).ToListAsync(cancellationToken)).Select(n => (n.OwnerId, n.Period)).ToHashSet();
        return [.. owners.Where(o => (byCutoff.TryGetValue(o, out var last) && last > covered.GetValueOrDefault(o)) || noticed.Contains((o, periods.GetValueOrDefault(o))))];
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
