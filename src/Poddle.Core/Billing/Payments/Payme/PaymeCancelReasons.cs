namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>Payme's cancel reasons (<c>CancelTransaction</c>'s <c>reason</c>, <c>CheckTransaction</c>'s result).</summary>
public static class PaymeCancelReasons
{
    public const int ReceiverNotFound = 1;

    public const int DebitFailed = 2;

    public const int ExecutionFailed = 3;

    /// <summary>Not performed within <see cref="PaymeMerchant.Timeout"/>: set by the merchant itself.</summary>
    public const int Timeout = 4;

    public const int Refund = 5;

    public const int Unknown = 10;

    public static bool IsKnown(int reason) => reason is >= ReceiverNotFound and <= Refund or Unknown;
}
