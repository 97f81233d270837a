using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Email;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

/// <summary>
/// Proving the account's address: a code is mailed at registration (and on request, and after an email change); the
/// code works once and expires after <see cref="AuthOptions.EmailVerificationLifetime"/>. While
/// <see cref="EmailOptions.VerificationRequired"/>, an unverified account signs in and reads as usual but cannot
/// create or change deployments.
/// </summary>
public sealed partial class EmailVerificationService(
    PoddleDbContext db,
    AccountMail mail,
    AccountTokenStore tokens,
    IOptions<EmailOptions> options,
    TimeProvider clock,
    ILogger<EmailVerificationService> logger)
{
    public async Task<Result<User>> ConfirmAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return Error.Validation(FieldPath.Of(nameof(token)), "Give the verification code from the mail.");
        }

        var found = await tokens.FindUsableAsync(token, AccountTokenPurpose.EmailVerification, cancellationToken);
        if (found is null || !await tokens.SpendAsync(found.Id, cancellationToken))
        {
            return new Error(
                ErrorKind.Validation,
                AccountErrorCodes.InvalidVerificationToken,
                "The verification code is wrong, used already or expired. Ask for a new one (poddle verify-email --resend).",
                Error.One(FieldPath.Of(nameof(token)), "The verification code is wrong, used already or expired."));
        }

        var user = await db.Users.FirstAsync(u => u.Id == found.UserId, cancellationToken);
        user.EmailVerifiedAt ??= clock.GetStoredUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        LogVerified(user.Id);
        return user;
    }

    /// <summary>Mails a new code (at most one a minute; further requests within it send nothing more).</summary>
    public async Task<Result<bool>> ResendAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (!mail.IsEnabled)
        {
            return AccountMail.NotConfigured("addresses are not verified here (and need not be)");
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        if (user.EmailVerifiedAt is not null)
        {
            return Error.Conflict(AccountErrorCodes.EmailAlreadyVerified, $"{user.Email} is verified already.");
        }

        await mail.EnqueueAndSaveAsync(new AccountMailPayload(AccountMailKind.EmailVerification, user.Id), cancellationToken);
        return true;
    }

    /// <summary>Null when the user may create and change deployments; a 403 <c>email-not-verified</c> while verification is required and missing.</summary>
    public async Task<Error?> CheckMayDeployAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (!options.Value.VerificationRequired)
        {
            return null;
        }

        var verified = await db.Users.AnyAsync(u => u.Id == userId && (u.EmailVerifiedAt != null || u.Role == UserRole.Admin), cancellationToken);
        return verified
            ? null
            : new Error(
                ErrorKind.Forbidden,
                AccountErrorCodes.EmailNotVerified,
                "Verify your email address before deploying: use the code mailed to you (poddle verify-email <code>), or ask for a new one (poddle verify-email --resend).");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} verified their email address")]
    private partial void LogVerified(Guid userId);
}
