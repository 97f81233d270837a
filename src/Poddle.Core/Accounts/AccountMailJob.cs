using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Email;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

/// <summary>
/// Writes and sends one account mail (<see cref="AccountMail"/>). A mail with a one-time code makes its code here, just
/// before sending, and removes it again when sending fails, so the queue never holds a secret and a retry sends a fresh
/// code. Delivery is at least once: a worker killed after sending sends again, and both codes work (each once).
/// </summary>
public sealed partial class AccountMailJob(
    PoddleDbContext db,
    AccountTokenStore tokens,
    SmtpMailer mailer,
    IOptions<EmailOptions> email,
    IOptions<AuthOptions> auth,
    ILogger<AccountMailJob> logger) : IJobHandler
{
    public const string JobKind = JobKinds.AccountMail;

    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = JsonSerializer.Deserialize<AccountMailPayload>(context.Payload ?? "null", PayloadJson)
            ?? throw new InvalidOperationException("An account mail job without a payload.");
        if (!email.Value.IsConfigured)
        {
            // SMTP was configured when the mail was queued and is not any more: there is nowhere to send it.
            LogSkipped(payload.Kind, payload.UserId, "no SMTP server is configured");
            return;
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == payload.UserId, cancellationToken);
        if (WhyNotSend(user, payload.Kind) is { } reason)
        {
            LogSkipped(payload.Kind, payload.UserId, reason);
            return;
        }

        var serverUrl = email.Value.ServerUrl?.TrimEnd('/');
        switch (payload.Kind)
        {
            case AccountMailKind.PasswordReset:
                await SendWithCodeAsync(user!, AccountTokenPurpose.PasswordReset, auth.Value.PasswordResetLifetime,
                    code => AccountMailTemplates.PasswordReset(user!, code, auth.Value.PasswordResetLifetime, serverUrl), cancellationToken);
                break;
            case AccountMailKind.EmailVerification:
                await SendWithCodeAsync(user!, AccountTokenPurpose.EmailVerification, auth.Value.EmailVerificationLifetime,
                    code => AccountMailTemplates.EmailVerification(user!, code, auth.Value.EmailVerificationLifetime, serverUrl), cancellationToken);
                break;
            case AccountMailKind.SignIn:
                await mailer.SendAsync(AccountMailTemplates.SignIn(user!, payload, serverUrl), cancellationToken);
                break;
            case AccountMailKind.PasswordChanged:
                await mailer.SendAsync(AccountMailTemplates.PasswordChanged(user!, payload, serverUrl), cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Unknown account mail kind '{payload.Kind}'.");
        }

        LogSent(payload.Kind, payload.UserId);
    }

    /// <summary>Why this mail should not go out any more (the account changed since it was queued); null to send it.</summary>
    private static string? WhyNotSend(User? user, string kind) => user switch
    {
        null => "the account no longer exists",
        { DisabledAt: not null } => "the account is disabled",
        { EmailVerifiedAt: not null } when kind == AccountMailKind.EmailVerification => "the address is verified already",
        { EmailVerifiedAt: null } when kind is AccountMailKind.SignIn or AccountMailKind.PasswordChanged =>
            "notices go only to verified addresses",
        _ => null,
    };

    private async Task SendWithCodeAsync(User user, string purpose, TimeSpan lifetime, Func<string, OutgoingMail> compose, CancellationToken cancellationToken)
    {
        var (code, token) = tokens.Issue(user.Id, purpose, lifetime);
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            await mailer.SendAsync(compose(code), cancellationToken);
        }
        catch
        {
            // The code never reached anyone: remove it, and let the retry make a new one.
            await db.Set<AccountToken>().Where(t => t.Id == token.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent the {MailKind} mail of user {UserId}")]
    private partial void LogSent(string mailKind, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Did not send the {MailKind} mail of user {UserId}: {Reason}")]
    private partial void LogSkipped(string mailKind, Guid userId, string reason);
}
