using Microsoft.Extensions.Options;
using MimeKit;

namespace Poddle.Core.Email;

/// <summary>Checks <see cref="EmailOptions"/> (section "Email"); every failure names the key to set.</summary>
public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var smtp = options.Smtp;
        if (options.ServerUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"Email:ServerUrl must be an absolute http(s) URL (got '{url}').");
        }

        if (!options.IsConfigured)
        {
            // No SMTP server: the other Smtp keys are unused, so nothing else can be wrong.
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        if (smtp.Port is < 1 or > 65535)
        {
            failures.Add($"Email:Smtp:Port must be between 1 and 65535 (got {smtp.Port}).");
        }

        if (!Enum.IsDefined(smtp.Security))
        {
            failures.Add("Email:Smtp:Security must be StartTls, SslOnConnect or None.");
        }

        if (string.IsNullOrWhiteSpace(smtp.From))
        {
            failures.Add("Email:Smtp:From is required when Email:Smtp:Host is set (e.g. \"Poddle <noreply@example.com>\").");
        }
        else if (!MailboxAddress.TryParse(smtp.From, out var from) || !from.Address.Contains('@', StringComparison.Ordinal))
        {
            failures.Add($"Email:Smtp:From must be an email address, optionally with a name: \"Poddle <noreply@example.com>\" (got '{smtp.From}').");
        }

        if (string.IsNullOrEmpty(smtp.Username) != string.IsNullOrEmpty(smtp.Password))
        {
            failures.Add("Email:Smtp:Username and Email:Smtp:Password go together: set both (to authenticate) or neither.");
        }

        if (smtp.Timeout < TimeSpan.FromSeconds(1) || smtp.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Email:Smtp:Timeout must be between 00:00:01 and 00:05:00 (got {smtp.Timeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
