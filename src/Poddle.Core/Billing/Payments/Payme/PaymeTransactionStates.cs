namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>Payme's transaction states (the <c>state</c> numbers of its results).</summary>
public static class PaymeTransactionStates
{
    public const int Created = 1;

    public const int Performed = 2;

    /// <summary>Cancelled before it was performed.</summary>
    public const int Cancelled = -1;

    /// <summary>Cancelled after it was performed (the money went back).</summary>
    public const int CancelledAfterPerform = -2;

    /// <summary>The Payme state of a payment bound to a Payme transaction.</summary>
    public static int Of(string paymentState) => paymentState switch
    {
        PaymentStates.Performed => Performed,
        PaymentStates.Cancelled => Cancelled,
        PaymentStates.Refunded => CancelledAfterPerform,
        _ => Created,
    };
}
