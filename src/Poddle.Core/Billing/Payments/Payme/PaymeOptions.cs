namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>
/// Payme's Merchant API (section "Billing:Payme", docs/billing.md). Payme is offered only when both
/// <see cref="MerchantId"/> and <see cref="Key"/> are set. <see cref="Key"/> is a secret: write-only, never logged.
/// </summary>
public sealed class PaymeOptions
{
    public const string SectionName = "Billing:Payme";

    /// <summary>The cashbox id from Payme's merchant cabinet (checkout's <c>m=</c>).</summary>
    public string? MerchantId { get; set; }

    /// <summary>The cashbox key: Payme calls with Basic auth <c>Paycom:&lt;key&gt;</c>.</summary>
    public string? Key { get; set; }

    /// <summary>The account field set up in the cashbox, which carries the payment's number (checkout's <c>ac.&lt;field&gt;=</c>).</summary>
    public string AccountField { get; set; } = "order_id";

    /// <summary>Payme's checkout (https://checkout.test.paycom.uz for the sandbox).</summary>
    public Uri CheckoutUrl { get; set; } = new("https://checkout.paycom.uz");

    public bool IsConfigured => !string.IsNullOrEmpty(MerchantId) && !string.IsNullOrEmpty(Key);
}
