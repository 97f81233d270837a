using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

/// <summary>
/// "Forgot my password": a code by mail, then a new password with the code. The request's answer is the same whether
/// or not an account has the address (it never tells who has an account); the code works once, expires after
/// <see cref="AuthOptions.PasswordResetLifetime"/>, and is stored only as its SHA-256. Needs an SMTP server.
/// </summary>
public sealed partial class PasswordResetService(
    PoddleDbContext db,
    AccountService accounts,
    AccountMail mail,
    AccountTokenStore tokens,
    TimeProvider clock,
    ILogger<PasswordResetService> logger)
{
    /// <summary>Queues a reset mail when an enabled account has <paramref name="email"/>; succeeds either way.</summary>
    public async Task<Result<bool>> RequestAsync(string? email, CancellationToken cancellationToken)
    {
        if (!mail.IsEnabled)
        {
            return AccountMail.NotConfigured("passwords cannot be reset by mail; an admin can set a new one (poddle admin users reset-password)");
        }

        var address = email?.Trim().ToLowerInvariant();
        if (!Validators.IsEmail(address))
        {
            return Error.Validation(FieldPath.Of(nameof(email)), "Must be an email address of at most 254 characters.");
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == address, cancellationToken);
        if (user is { DisabledAt: null })
        {
            await mail.EnqueueAndSaveAsync(new AccountMailPayload(AccountMailKind.PasswordReset, user.Id), cancellationToken);
            LogRequested(user.Id);
        }

        return true;
    }

    /// <summary>Sets the new password with a mailed code: every session ends, and the address counts as verified (the code reached it).</summary>
    public async Task<Result<User>> ConfirmAsync(string? token, string? newPassword, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        AccountService.ValidatePassword(newPassword, FieldPath.Of(nameof(newPassword)), errors);
        if (string.IsNullOrWhiteSpace(token))
        {
            errors.Add(FieldPath.Of(nameof(token)), "Give the reset code from the mail.");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var found = await tokens.FindUsableAsync(token, AccountTokenPurpose.PasswordReset, cancellationToken);
        if (found is null)
        {
            return InvalidToken(FieldPath.Of(nameof(token)));
        }

        var user = await db.Users.FirstAsync(u => u.Id == found.UserId, cancellationToken);
        if (user.DisabledAt is not null)
        {
            return AccountService.AccountDisabled();
        }

        if (!await tokens.SpendAsync(found.Id, cancellationToken))
        {
            return InvalidToken(FieldPath.Of(nameof(token)));
        }

        user.EmailVerifiedAt ??= clock.GetStoredUtcNow();
        await accounts.SetPasswordAsync(user, newPassword!, "password-reset", keepSessionId: null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        LogReset(user.Id);
        return user;
    }

    private static Error InvalidToken(FieldPath token) => new(
        ErrorKind.Validation,
        AccountErrorCodes.InvalidResetToken,
        "The reset code is wrong, used already or expired. Ask for a new one (poddle password reset --email ...).",
        Error.One(token, "The reset code is wrong, used already or expired."));

    [LoggerMessage(Level = LogLevel.Information, Message = "Password reset requested for user {UserId}")]
    private partial void LogRequested(Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password of user {UserId} reset with a mailed code; every session ended")]
    private partial void LogReset(Guid userId);
}
