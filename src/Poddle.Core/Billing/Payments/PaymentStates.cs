namespace Poddle.Core.Billing.Payments;

/// <summary>A payment's states (wire values). Moves only forward: pending → created → performed → refunded, or → cancelled before performing.</summary>
public static class PaymentStates
{
    /// <summary>Asked for by the user; no provider transaction yet.</summary>
    public const string Pending = "pending";

    /// <summary>The provider's transaction is bound (Payme state 1, Click prepared); no money yet.</summary>
    public const string Created = "created";

    /// <summary>Paid: the balance was credited (Payme state 2, Click completed).</summary>
    public const string Performed = "performed";

    /// <summary>Cancelled before it was performed (Payme state -1, Click cancelled); nothing was credited.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Cancelled after it was performed (Payme state -2): the credit was debited back.</summary>
    public const string Refunded = "refunded";
}
