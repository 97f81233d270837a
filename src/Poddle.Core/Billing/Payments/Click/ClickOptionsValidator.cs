using Microsoft.Extensions.Options;

namespace Poddle.Core.Billing.Payments.Click;

/// <summary>Checks <see cref="ClickOptions"/>; every failure names the key to set (and never echoes the secret).</summary>
public sealed class ClickOptionsValidator : IValidateOptions<ClickOptions>
{
    public const int MaxSecretLength = 256;

    public ValidateOptionsResult Validate(string? name, ClickOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var set = new[] { options.ServiceId, options.MerchantId, options.SecretKey }.Count(v => !string.IsNullOrEmpty(v));
        if (set is not (0 or 3))
        {
            failures.Add($"{ClickOptions.SectionName}:ServiceId, {ClickOptions.SectionName}:MerchantId and {ClickOptions.SectionName}:SecretKey must be set together (Click is offered only with all three).");
        }

        foreach (var (key, value) in new[] { ("ServiceId", options.ServiceId), ("MerchantId", options.MerchantId), ("MerchantUserId", options.MerchantUserId) })
        {
            if (!string.IsNullOrEmpty(value) && (value.Length > 20 || !value.All(char.IsAsciiDigit)))
            {
                failures.Add($"{ClickOptions.SectionName}:{key} must be Click's number (1 to 20 digits).");
            }
        }

        if (!string.IsNullOrEmpty(options.SecretKey) && (options.SecretKey.Length > MaxSecretLength || options.SecretKey.Any(char.IsControl)))
        {
            failures.Add($"{ClickOptions.SectionName}:SecretKey must be at most {MaxSecretLength} printable characters.");
        }

        if (options.PayUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{ClickOptions.SectionName}:PayUrl must be an absolute https URL such as 'https://my.click.uz/services/pay'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
