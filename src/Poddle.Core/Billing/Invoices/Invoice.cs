namespace Poddle.Core.Billing.Invoices;

/// <summary>
/// One calendar month (UTC) of a user's ledger: the opening balance, the usage charges per deployment (with the
/// resources that ran), the payments, the other credits and debits, and the closing balance. Invariant:
/// <see cref="ClosingMinor"/> = <see cref="OpeningMinor"/> − <see cref="ChargesMinor"/> + <see cref="PaymentsMinor"/> +
/// <see cref="AdjustmentsMinor"/>, each taken from the ledger entries written within the month.
/// </summary>
public sealed record Invoice(
    string Month,
    DateTimeOffset From,
    DateTimeOffset To,
    string Currency,
    long OpeningMinor,
    IReadOnlyList<InvoiceChargeLine> Charges,
    long ChargesMinor,
    IReadOnlyList<InvoiceEntryLine> Payments,
    long PaymentsMinor,
    IReadOnlyList<InvoiceEntryLine> Adjustments,
    long AdjustmentsMinor,
    long ClosingMinor);

/// <summary>
/// One deployment's charges in the month (positive): the hours charged, and the replica-, millicore- and MB-seconds that
/// ran in them.
/// </summary>
public sealed record InvoiceChargeLine(
    Guid DeploymentId,
    string Deployment,
    int Hours,
    long ReplicaSeconds,
    long CpuMillicoreSeconds,
    long MemoryMbSeconds,
    long AmountMinor);

/// <summary>One ledger entry on the invoice (signed, as in the ledger).</summary>
public sealed record InvoiceEntryLine(DateTimeOffset At, string Kind, string Reason, string Reference, long AmountMinor);

/// <summary>A month in the list of invoices: its totals.</summary>
public sealed record InvoiceSummary(
    string Month,
    DateTimeOffset From,
    DateTimeOffset To,
    string Currency,
    long OpeningMinor,
    long ChargesMinor,
    long PaymentsMinor,
    long AdjustmentsMinor,
    long ClosingMinor);
