namespace Poddle.Core.Billing.Payments;

/// <summary>Payments' problem codes (wire values: ProblemDetails <c>code</c> and <c>type</c>).</summary>
public static class PaymentErrorCodes
{
    /// <summary>The user has too many payments waiting to start another (429).</summary>
    public const string TooManyOpenPayments = "too-many-open-payments";
}
