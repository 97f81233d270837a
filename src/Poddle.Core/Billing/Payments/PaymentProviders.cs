namespace Poddle.Core.Billing.Payments;

/// <summary>Payment providers' names (wire values: <c>POST /api/billing/fund</c>'s <c>provider</c>, stored on each payment).</summary>
public static class PaymentProviders
{
    public const string Payme = "payme";

    public const string Click = "click";

    public static readonly IReadOnlyList<string> All = [Payme, Click];
}
