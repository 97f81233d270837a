using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OtpNet;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

/// <summary>A user's two-factor state: on, pending (set up, not confirmed with a code yet), and unused recovery codes.</summary>
public sealed record TwoFactorStatus(bool Enabled, bool Pending, int RecoveryCodesLeft);

/// <summary>What an authenticator app needs: the key in base32 and the otpauth:// URI (a QR code of it).</summary>
public sealed record TwoFactorSetup(string Secret, string OtpauthUri);

/// <summary>
/// TOTP two-factor sign-in (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step of clock drift either way).
/// Setting up stores a new key (encrypted with <see cref="SecretProtector"/>) that takes effect only once a code from
/// it is confirmed; confirming creates 10 single-use recovery codes, shown once and stored hashed. A code is accepted
/// only for a later time step than the last accepted one, so no code works twice. Wrong codes (and wrong passwords
/// at setup and disable) count per account; past <see cref="AuthOptions.MaxFailedTwoFactorCodes"/> within
/// <see cref="AuthOptions.FailedLoginWindow"/> every attempt is refused with a 429.
/// </summary>
public sealed partial class TwoFactorService(
    PoddleDbContext db,
    SecretProtector protector,
    FailedAttempts failures,
    IOptions<AuthOptions> options,
    TimeProvider clock,
    ILogger<TwoFactorService> logger)
{
    public const string Issuer = "Poddle";
    public const int RecoveryCodeCount = 10;
    public const int Digits = 6;
    public const int PeriodSeconds = 30;

    private const int KeyBytes = 20;

    public async Task<Result<TwoFactorStatus>> StatusAsync(Guid userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        var left = await db.Set<RecoveryCode>().CountAsync(c => c.UserId == userId && c.UsedAt == null, cancellationToken);
        return new TwoFactorStatus(user.IsTwoFactorEnabled, user.TwoFactorSecret is not null && !user.IsTwoFactorEnabled, user.IsTwoFactorEnabled ? left : 0);
    }

    /// <summary>Stores a new pending key (replacing an unconfirmed one) and returns it; needs the password. Refused while two-factor is on.</summary>
    public async Task<Result<TwoFactorSetup>> SetUpAsync(Guid userId, string? password, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        if (user.IsTwoFactorEnabled)
        {
            return Error.Conflict(AccountErrorCodes.TwoFactorAlreadyEnabled, "Two-factor sign-in is on already; turn it off first to set up a new authenticator.");
        }

        if (await CheckPasswordAsync(user, password, cancellationToken) is { } refused)
        {
            return refused;
        }

        var key = KeyGeneration.GenerateRandomKey(KeyBytes);
        try
        {
            user.TwoFactorSecret = protector.ProtectBytes(key);
            user.TwoFactorLastTimeStep = null;
            user.UpdatedAt = clock.GetStoredUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            var secret = Base32Encoding.ToString(key);
            var label = Uri.EscapeDataString($"{Issuer}:{user.Username}");
            return new TwoFactorSetup(
                secret,
                $"otpauth://totp/{label}?secret={secret}&issuer={Issuer}&algorithm=SHA1&digits={Digits}&period={PeriodSeconds}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Confirms the pending key with a code from it: two-factor is on from now, and the recovery codes are returned (once).</summary>
    public async Task<Result<IReadOnlyList<string>>> EnableAsync(Guid userId, string? code, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        if (user.IsTwoFactorEnabled)
        {
            return Error.Conflict(AccountErrorCodes.TwoFactorAlreadyEnabled, "Two-factor sign-in is on already.");
        }

        if (user.TwoFactorSecret is null)
        {
            return Error.Conflict(AccountErrorCodes.TwoFactorNotSetUp, "Set up two-factor sign-in first (POST /api/users/me/two-factor/setup), then confirm it with a code.");
        }

        if (await VerifyAsync(user, code, null, ErrorKind.Validation, cancellationToken) is { } refused)
        {
            return refused;
        }

        var now = clock.GetStoredUtcNow();
        await db.Set<RecoveryCode>().Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var codes = new List<string>(RecoveryCodeCount);
        for (var i = 0; i < RecoveryCodeCount; i++)
        {
            var recovery = NewRecoveryCode();
            codes.Add(recovery);
            db.Set<RecoveryCode>().Add(new RecoveryCode { Id = Guid.CreateVersion7(now), UserId = userId, CodeHash = SecretTokens.Hash(Normalize(recovery)), CreatedAt = now });
        }

        user.TwoFactorEnabledAt = now;
        user.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        LogEnabled(userId);
        return codes;
    }

    /// <summary>Turns two-factor off; needs the password and a code (or a recovery code). The key and recovery codes are deleted.</summary>
    public async Task<Result<bool>> DisableAsync(Guid userId, string? password, string? code, string? recoveryCode, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        if (!user.IsTwoFactorEnabled)
        {
            return Error.Conflict(AccountErrorCodes.TwoFactorNotEnabled, "Two-factor sign-in is not on.");
        }

        if (await CheckPasswordAsync(user, password, cancellationToken) is { } wrongPassword)
        {
            return wrongPassword;
        }

        if (await VerifyAsync(user, code, recoveryCode, ErrorKind.Validation, cancellationToken) is { } refused)
        {
            return refused;
        }

        user.TwoFactorSecret = null;
        user.TwoFactorEnabledAt = null;
        user.TwoFactorLastTimeStep = null;
        user.UpdatedAt = clock.GetStoredUtcNow();
        await db.Set<RecoveryCode>().Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        LogDisabled(userId);
        return true;
    }

    /// <summary>
    /// Checks a TOTP code or a recovery code (exactly one) of <paramref name="user"/> and uses it up; null when it is
    /// accepted. A wrong one is an error of <paramref name="wrongKind"/> (code <c>invalid-two-factor-code</c>) and counts
    /// towards the limit; over the limit the answer is a 429 whatever was sent.
    /// </summary>
    public async Task<Error?> VerifyAsync(User user, string? code, string? recoveryCode, ErrorKind wrongKind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (string.IsNullOrWhiteSpace(code) == string.IsNullOrWhiteSpace(recoveryCode))
        {
            return Error.Validation(FieldPath.Of(nameof(code)), recoveryCode is null
                ? $"Give the {Digits}-digit code from your authenticator app."
                : "Give either a code from your authenticator app or a recovery code, not both.");
        }

        var key = FailureKey(user.Id);
        if (await ThrottledAsync(key, cancellationToken) is { } throttled)
        {
            return throttled;
        }

        var accepted = code is not null
            ? await UseCodeAsync(user, code, cancellationToken)
            : await UseRecoveryCodeAsync(user.Id, recoveryCode!, cancellationToken);
        if (!accepted)
        {
            await CountFailureAsync(key, cancellationToken);
            LogWrongCode(user.Id);
            var field = FieldPath.Of(code is not null ? nameof(code) : nameof(recoveryCode));
            var message = code is not null
                ? "The code is wrong, expired or used already. Enter the current code from your authenticator app."
                : "The recovery code is wrong or used already.";
            return new Error(wrongKind, AccountErrorCodes.InvalidTwoFactorCode, message, Error.One(field, message));
        }

        await failures.ClearAsync(key, cancellationToken);
        return null;
    }

    /// <summary>"1A2B-..." → "1a2b..." (people type recovery codes with or without dashes and spaces, in either case).</summary>
    internal static string Normalize(string recoveryCode) =>
        string.Concat(recoveryCode.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant));

    private static string FailureKey(Guid userId) => $"2fa|user:{userId:N}";

    /// <summary>16 base32 characters (80 random bits) in groups of four.</summary>
    private static string NewRecoveryCode()
    {
        var text = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant();
        return string.Join('-', text.Chunk(4).Select(c => new string(c)));
    }

    private async Task<bool> UseCodeAsync(User user, string code, CancellationToken cancellationToken)
    {
        var digits = string.Concat(code.Where(c => !char.IsWhiteSpace(c)));
        if (user.TwoFactorSecret is null || digits.Length != Digits || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        var key = protector.UnprotectBytes(user.TwoFactorSecret);
        long step;
        try
        {
            var totp = new Totp(key, PeriodSeconds, OtpHashMode.Sha1, Digits);
            if (!totp.VerifyTotp(clock.GetUtcNow().UtcDateTime, digits, out step, new VerificationWindow(previous: 1, future: 1)))
            {
                return false;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        // Only a later step than the last accepted one, by a conditional update: a replayed code, or the same code sent
        // twice at once, is refused.
        return await db.Users
            .Where(u => u.Id == user.Id && (u.TwoFactorLastTimeStep == null || u.TwoFactorLastTimeStep < step))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TwoFactorLastTimeStep, step), cancellationToken) == 1;
    }

    private async Task<bool> UseRecoveryCodeAsync(Guid userId, string recoveryCode, CancellationToken cancellationToken)
    {
        var normalized = Normalize(recoveryCode);
        if (normalized.Length is 0 or > 64)
        {
            return false;
        }

        var hash = SecretTokens.Hash(normalized);
        var now = clock.GetStoredUtcNow();
        return await db.Set<RecoveryCode>()
            .Where(c => c.UserId == userId && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), cancellationToken) == 1;
    }

    private async Task<Error?> CheckPasswordAsync(User user, string? password, CancellationToken cancellationToken)
    {
        var key = FailureKey(user.Id);
        if (await ThrottledAsync(key, cancellationToken) is { } throttled)
        {
            return throttled;
        }

        if (string.IsNullOrEmpty(password) || password.Length > AccountService.MaxPasswordLength || !PasswordHasher.Verify(password, user.PasswordHash))
        {
            await CountFailureAsync(key, cancellationToken);
            return Error.Validation(FieldPath.Of(nameof(password)), "Give your current password.");
        }

        return null;
    }

    private async Task<Error?> ThrottledAsync(string key, CancellationToken cancellationToken) =>
        await failures.RetryAfterAsync(key, options.Value.MaxFailedTwoFactorCodes, cancellationToken) is { } retryAfter
            ? new Error(ErrorKind.RateLimited, AccountErrorCodes.TooManyTwoFactorAttempts, "Too many wrong two-factor codes or passwords. Wait and try again.", RetryAfter: retryAfter)
            : null;

    private async Task CountFailureAsync(string key, CancellationToken cancellationToken)
    {
        failures.Add(key);
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} turned two-factor sign-in on")]
    private partial void LogEnabled(Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} turned two-factor sign-in off")]
    private partial void LogDisabled(Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wrong two-factor code for user {UserId}")]
    private partial void LogWrongCode(Guid userId);
}
