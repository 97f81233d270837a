namespace Poddle.Core.Billing.Payments.Click;

/// <summary>
/// Click's SHOP API (section "Billing:Click", docs/billing.md). Click is offered only when <see cref="ServiceId"/>,
/// <see cref="MerchantId"/> and <see cref="SecretKey"/> are set. <see cref="SecretKey"/> is write-only, never logged.
/// </summary>
public sealed class ClickOptions
{
    public const string SectionName = "Billing:Click";

    public string? ServiceId { get; set; }

    public string? MerchantId { get; set; }

    /// <summary>Signs every Prepare and Complete request (<c>sign_string</c>).</summary>
    public string? SecretKey { get; set; }

    /// <summary>Optional: added to the pay link as <c>merchant_user_id</c>.</summary>
    public string? MerchantUserId { get; set; }

    /// <summary>Click's payment page.</summary>
    public Uri PayUrl { get; set; } = new("https://my.click.uz/services/pay");

    public bool IsConfigured => !string.IsNullOrEmpty(ServiceId) && !string.IsNullOrEmpty(MerchantId) && !string.IsNullOrEmpty(SecretKey);
}
