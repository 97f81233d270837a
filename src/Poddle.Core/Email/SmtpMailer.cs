using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Poddle.Core.Email;

/// <summary>
/// Sends mail to the SMTP server of <see cref="EmailOptions.Smtp"/> with MailKit, one connection per mail (mail is rare:
/// account notices and codes). Throws when the server cannot be reached or refuses the mail; callers run it from the
/// job queue, which retries.
/// </summary>
public sealed class SmtpMailer(IOptions<EmailOptions> options)
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var smtp = options.Value.Smtp;
        if (smtp is not { Host: { Length: > 0 } host, From: { Length: > 0 } from })
        {
            throw new InvalidOperationException("No SMTP server is configured (Email:Smtp:Host, Email:Smtp:From).");
        }

        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Body = new TextPart("plain") { Text = mail.Body };

        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        await client.ConnectAsync(host, smtp.Port, ToMailKit(smtp.Security), cancellationToken);
        if (smtp is { Username: { Length: > 0 } username, Password: { } password })
        {
            await client.AuthenticateAsync(username, password, cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTls,
    };
}
