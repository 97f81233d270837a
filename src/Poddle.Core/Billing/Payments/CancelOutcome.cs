namespace Poddle.Core.Billing.Payments;

/// <summary>How a cancel request ended.</summary>
public enum CancelOutcome
{
    /// <summary>Cancelled now, or it already was (a replay): the payment holds its final state.</summary>
    Cancelled,

    /// <summary>It was performed and the balance no longer covers the amount (already spent): nothing changed.</summary>
    RefundRefused,
}
