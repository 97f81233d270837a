namespace Poddle.Contracts;

/// <summary>One month's totals in the list of invoices (minor units; charges positive).</summary>
public sealed record InvoiceSummaryResponse(
    string Month,
    DateTimeOffset From,
    DateTimeOffset To,
    string Currency,
    long OpeningMinor,
    long ChargesMinor,
    long PaymentsMinor,
    long AdjustmentsMinor,
    long ClosingMinor);

public sealed record InvoiceListResponse(IReadOnlyList<InvoiceSummaryResponse> Invoices);

/// <summary>One deployment's usage charges in the month (positive) and what ran: replica-, millicore- and MB-seconds.</summary>
public sealed record InvoiceChargeResponse(
    Guid DeploymentId,
    string Deployment,
    int Hours,
    long ReplicaSeconds,
    long CpuMillicoreSeconds,
    long MemoryMbSeconds,
    long AmountMinor);

/// <summary>A ledger entry on the invoice (signed as in the ledger).</summary>
public sealed record InvoiceEntryResponse(DateTimeOffset At, string Kind, string Reason, string Reference, long AmountMinor);

/// <summary>A monthly invoice: closing = opening − charges + payments + adjustments.</summary>
public sealed record InvoiceResponse(
    string Month,
    DateTimeOffset From,
    DateTimeOffset To,
    string Currency,
    long OpeningMinor,
    IReadOnlyList<InvoiceChargeResponse> Charges,
    long ChargesMinor,
    IReadOnlyList<InvoiceEntryResponse> Payments,
    long PaymentsMinor,
    IReadOnlyList<InvoiceEntryResponse> Adjustments,
    long AdjustmentsMinor,
    long ClosingMinor);
