using System.Globalization;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Webhooks;

namespace Poddle.Core.Alerts;

/// <summary>Checks <see cref="AlertsOptions"/> (section "Alerts"); every failure names the key to set.</summary>
public sealed class AlertsOptionsValidator : IValidateOptions<AlertsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AlertsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var hook = options.Webhooks[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"Alerts:Webhooks:{i}");
            if (!IsHttpUrl(hook.Url))
            {
                failures.Add($"{key}:Url must be an absolute http or https URL of at most {AlertLimits.WebhookUrlLength} characters.");
            }

            if (!WebhookFormatNames.TryParse(hook.Format, out _))
            {
                failures.Add($"{key}:Format must be {WebhookFormatNames.All}.");
            }

            if (!AlertLevelNames.TryParse(hook.MinLevel, out _))
            {
                failures.Add($"{key}:MinLevel must be {AlertLevelNames.All}.");
            }
        }

        for (var i = 0; i < options.Emails.Count; i++)
        {
            if (!Validators.IsEmail(options.Emails[i]))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"Alerts:Emails:{i} must be a mail address such as ops@example.com."));
            }
        }

        if (!AlertLevelNames.TryParse(options.EmailMinLevel, out _))
        {
            failures.Add($"Alerts:EmailMinLevel must be {AlertLevelNames.All}.");
        }

        if (options.ThrottleWindow < TimeSpan.Zero || options.ThrottleWindow > TimeSpan.FromDays(1))
        {
            failures.Add("Alerts:ThrottleWindow must be between 00:00:00 and 1.00:00:00.");
        }

        if (options.DeliveryAttempts is < 1 or > 100)
        {
            failures.Add("Alerts:DeliveryAttempts must be between 1 and 100.");
        }

        if (options.WebhookTimeout < TimeSpan.FromSeconds(1) || options.WebhookTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("Alerts:WebhookTimeout must be between 00:00:01 and 00:05:00.");
        }

        if (options.History < TimeSpan.FromHours(1) || options.History > TimeSpan.FromDays(366))
        {
            failures.Add("Alerts:History must be between 01:00:00 and 366.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>An absolute http(s) URL of at most <see cref="AlertLimits.WebhookUrlLength"/> characters.</summary>
    public static bool IsHttpUrl(string? value) =>
        value is { Length: > 0 and <= AlertLimits.WebhookUrlLength }
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
