using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Billing.Payments.Payme;

/// <summary>Checks <see cref="PaymeOptions"/>; every failure names the key to set (and never echoes the key's value).</summary>
public sealed partial class PaymeOptionsValidator : IValidateOptions<PaymeOptions>
{
    public const int MaxKeyLength = 256;

    public ValidateOptionsResult Validate(string? name, PaymeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var hasId = !string.IsNullOrEmpty(options.MerchantId);
        var hasKey = !string.IsNullOrEmpty(options.Key);
        if (hasId != hasKey)
        {
            failures.Add($"{PaymeOptions.SectionName}:MerchantId and {PaymeOptions.SectionName}:Key must be set together (Payme is offered only with both).");
        }

        if (hasId && !MerchantIdPattern().IsMatch(options.MerchantId!))
        {
            failures.Add($"{PaymeOptions.SectionName}:MerchantId must be the cashbox id: 1 to 64 letters and digits.");
        }

        if (hasKey && (options.Key!.Length > MaxKeyLength || options.Key.Any(char.IsControl)))
        {
            failures.Add($"{PaymeOptions.SectionName}:Key must be at most {MaxKeyLength} printable characters.");
        }

        if (!AccountFieldPattern().IsMatch(options.AccountField ?? string.Empty))
        {
            failures.Add($"{PaymeOptions.SectionName}:AccountField must be 1 to 32 lowercase letters, digits or '_', starting with a letter (such as 'order_id').");
        }

        if (options.CheckoutUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{PaymeOptions.SectionName}:CheckoutUrl must be an absolute https URL such as 'https://checkout.paycom.uz'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9]{1,64}$")]
    private static partial Regex MerchantIdPattern();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,31}$")]
    private static partial Regex AccountFieldPattern();
}
