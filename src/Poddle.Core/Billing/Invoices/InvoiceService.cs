using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;

namespace Poddle.Core.Billing.Invoices;

/// <summary>
/// Monthly invoices built from the ledger (the month of an entry is the month it was written in, so consecutive invoices
/// chain: one's closing balance is the next one's opening) and, for charges, from the usage charges behind the entries.
/// Every query is filtered by the owner it is asked for.
/// </summary>
public sealed class InvoiceService(PoddleDbContext db, UsageMeter meter, IOptions<BillingOptions> options, TimeProvider clock)
{
    /// <summary>How many months back the list goes.</summary>
    public const int MaxMonths = 36;

    public const string MonthFormat = "yyyy-MM";

    /// <summary>The months with ledger entries, from the first one (at most <see cref="MaxMonths"/> back) to this month, newest first.</summary>
    public async Task<IReadOnlyList<InvoiceSummary>> ListAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var current = MonthStart(now);
        var first = await db.Set<LedgerEntry>().AsNoTracking().Where(e => e.OwnerId == ownerId).OrderBy(e => e.Sequence)
            .Select(e => (DateTimeOffset?)e.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        var start = first is { } f ? MonthStart(f) : current;
        if (start < current.AddMonths(-(MaxMonths - 1)))
        {
            start = current.AddMonths(-(MaxMonths - 1));
        }

        var list = new List<InvoiceSummary>();
        for (var month = current; month >= start; month = month.AddMonths(-1))
        {
            var invoice = await BuildAsync(ownerId, month, cancellationToken);
            list.Add(new InvoiceSummary(invoice.Month, invoice.From, invoice.To, invoice.Currency, invoice.OpeningMinor, invoice.ChargesMinor, invoice.PaymentsMinor, invoice.AdjustmentsMinor, invoice.ClosingMinor));
        }

        return list;
    }

    /// <summary>The invoice of <paramref name="month"/> ("2026-12"); a month that is malformed or has not begun is a validation error.</summary>
    public async Task<Result<Invoice>> GetAsync(Guid ownerId, string? month, CancellationToken cancellationToken)
    {
        if (!DateTime.TryParseExact(month, MonthFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            || parsed.Year < 2000)
        {
            return Error.Validation(FieldPath.Of("Month"), "month must be a month such as '2026-12' (yyyy-MM, UTC).");
        }

        var start = new DateTimeOffset(parsed.Year, parsed.Month, 1, 0, 0, 0, TimeSpan.Zero);
        if (start > clock.GetUtcNow())
        {
            return Error.Validation(FieldPath.Of("Month"), "month has not begun yet.");
        }

        return await BuildAsync(ownerId, start, cancellationToken);
    }

    /// <summary>How the invoice names its customer: "Display Name (username)" or the username.</summary>
    public async Task<string> CustomerAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var user = await db.Set<User>().AsNoTracking().Where(u => u.Id == ownerId).Select(u => new { u.Username, u.DisplayName }).FirstOrDefaultAsync(cancellationToken);
        return user is null ? ownerId.ToString() : string.IsNullOrWhiteSpace(user.DisplayName) ? user.Username : $"{user.DisplayName} ({user.Username})";
    }

    private async Task<Invoice> BuildAsync(Guid ownerId, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var to = from.AddMonths(1);
        var entries = db.Set<LedgerEntry>().AsNoTracking().Where(e => e.OwnerId == ownerId);
        var opening = await entries.Where(e => e.CreatedAt < from).OrderByDescending(e => e.Sequence)
            .Select(e => (long?)e.BalanceAfterMinor).FirstOrDefaultAsync(cancellationToken) ?? 0;
        var inMonth = await entries.Where(e => e.CreatedAt >= from && e.CreatedAt < to).OrderBy(e => e.Sequence).ToListAsync(cancellationToken);

        var chargeIds = inMonth.Where(e => e.Kind == LedgerEntryKinds.Charge).Select(e => e.Id).ToList();
        var charges = chargeIds.Count == 0
            ? []
            : await db.Set<UsageCharge>().AsNoTracking().Where(c => c.OwnerId == ownerId && chargeIds.Contains(c.LedgerEntryId)).ToListAsync(cancellationToken);
        var deploymentIds = charges.Select(c => c.DeploymentId).Distinct().ToList();
        var names = deploymentIds.Count == 0
            ? []
            : await db.Set<Deployment>().AsNoTracking().Where(d => deploymentIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, cancellationToken);
        foreach (var (poolId, poolName) in await meter.PoolNamesAsync(ownerId, cancellationToken))
        {
            names[poolId] = poolName;
        }

        var byEntry = charges.ToDictionary(c => c.LedgerEntryId);

        // Every charge entry has its usage charge (written in the same transaction); one without is still counted, under no deployment.
        var lines = inMonth.Where(e => e.Kind == LedgerEntryKinds.Charge)
            .GroupBy(e => byEntry.TryGetValue(e.Id, out var c) ? c.DeploymentId : Guid.Empty)
            .Select(g =>
            {
                var usage = g.Select(e => byEntry.GetValueOrDefault(e.Id)).Where(c => c is not null).Select(c => c!).ToList();
                return new InvoiceChargeLine(
                    g.Key,
                    names.GetValueOrDefault(g.Key, g.Key == Guid.Empty ? "(other)" : g.Key.ToString("N")[..8]),
                    g.Count(),
                    usage.Sum(c => c.ReplicaSeconds),
                    usage.Sum(c => c.CpuMillicoreSeconds),
                    usage.Sum(c => c.MemoryMbSeconds),
                    -g.Sum(e => e.AmountMinor));
            })
            .OrderBy(l => l.Deployment, StringComparer.Ordinal).ThenBy(l => l.DeploymentId).ToList();
        var payments = inMonth.Where(e => e.Kind == LedgerEntryKinds.Payment).Select(Line).ToList();
        var adjustments = inMonth.Where(e => e.Kind is not (LedgerEntryKinds.Charge or LedgerEntryKinds.Payment)).Select(Line).ToList();
        var closing = inMonth.Count == 0 ? opening : inMonth[^1].BalanceAfterMinor;
        return new Invoice(
            from.ToString(MonthFormat, CultureInfo.InvariantCulture),
            from,
            to,
            options.Value.Currency,
            opening,
            lines,
            lines.Sum(l => l.AmountMinor),
            payments,
            payments.Sum(p => p.AmountMinor),
            adjustments,
            adjustments.Sum(a => a.AmountMinor),
            closing);

        static InvoiceEntryLine Line(LedgerEntry e) => new(e.CreatedAt, e.Kind, e.Reason, e.Reference, e.AmountMinor);
    }

    private static DateTimeOffset MonthStart(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
