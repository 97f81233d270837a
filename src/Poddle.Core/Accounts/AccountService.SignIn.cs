using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;

namespace Poddle.Core.Accounts;

/// <summary>What the password step of a sign-in gave: tokens, or — for an account with two-factor sign-in — a challenge.</summary>
public sealed record SignIn(AuthTokens? Tokens, TwoFactorChallenge? Challenge);

/// <summary>The short-lived, single-use proof that the password was right; the second step sends it back with a code.</summary>
public sealed record TwoFactorChallenge(string Challenge, DateTimeOffset ExpiresAt);

public sealed partial class AccountService
{
    /// <summary>
    /// The password step. Failures count per client IP and account, and per client IP across all accounts (credential
    /// stuffing); over either limit every attempt is a 429, even with the right password. A disabled account is told so
    /// only after the right password, so the answer reveals nothing to whoever does not know it.
    /// </summary>
    public async Task<Result<SignIn>> LoginAsync(string? login, string? password, ClientInfo client, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(login) || login.Length > 254)
        {
            errors.Add(FieldPath.Of(nameof(login)), "Give the email or username (at most 254 characters).");
        }

        if (string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength)
        {
            errors.Add(FieldPath.Of(nameof(password)), $"Give the password (at most {MaxPasswordLength} characters).");
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var normalized = login!.Trim().ToLowerInvariant();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == normalized || u.Username == normalized, cancellationToken);

        // Failures count per client IP and per account, whichever name (email or username) was typed: keying by the
        // typed name would give an attacker a fresh budget for each of the account's names. The IP key counts every
        // account tried from the address.
        var ip = client.IpAddress ?? "unknown";
        var accountKey = $"{ip}|{(user is null ? "login:" + normalized : "user:" + user.Id.ToString("N"))}";
        var ipKey = $"{ip}|*";
        var retryAfter = await failures.RetryAfterAsync(accountKey, options.Value.MaxFailedLogins, cancellationToken)
            ?? await failures.RetryAfterAsync(ipKey, options.Value.MaxFailedLoginsPerIp, cancellationToken);
        if (retryAfter is not null)
        {
            LogLoginThrottled(client.IpAddress);
            return new Error(ErrorKind.RateLimited, AccountErrorCodes.TooManyLoginAttempts, "Too many failed sign-in attempts. Wait and try again.", RetryAfter: retryAfter);
        }

        var valid = false;
        if (user is null)
        {
            PasswordHasher.VerifyAgainstDummy(password!);
        }
        else
        {
            valid = PasswordHasher.Verify(password!, user.PasswordHash);
        }

        if (!valid)
        {
            failures.Add(accountKey, ipKey);
            await db.SaveChangesAsync(cancellationToken);
            LogLoginFailed(client.IpAddress);
            return Error.Unauthorized(AccountErrorCodes.InvalidCredentials, "The login or password is wrong.");
        }

        await failures.ClearAsync(accountKey, cancellationToken);
        if (user!.DisabledAt is not null)
        {
            LogDisabledSignIn(user.Id);
            return AccountDisabled();
        }

        if (user.IsTwoFactorEnabled)
        {
            var (challenge, token) = accountTokens.Issue(user.Id, AccountTokenPurpose.TwoFactorChallenge, options.Value.TwoFactorChallengeLifetime);
            await db.SaveChangesAsync(cancellationToken);
            return new SignIn(null, new TwoFactorChallenge(challenge, token.ExpiresAt));
        }

        return new SignIn(await StartSessionAsync(user, client, cancellationToken), null);
    }

    /// <summary>
    /// The second step: the challenge from the password step and a TOTP code or a recovery code. The challenge works
    /// once (spent on success) and expires after <see cref="AuthOptions.TwoFactorChallengeLifetime"/>; wrong codes count
    /// towards <see cref="AuthOptions.MaxFailedTwoFactorCodes"/>.
    /// </summary>
    public async Task<Result<AuthTokens>> CompleteTwoFactorSignInAsync(string? challenge, string? code, string? recoveryCode, ClientInfo client, CancellationToken cancellationToken)
    {
        var token = await accountTokens.FindUsableAsync(challenge, AccountTokenPurpose.TwoFactorChallenge, cancellationToken);
        if (token is null)
        {
            return InvalidChallenge();
        }

        var user = await db.Users.FirstAsync(u => u.Id == token.UserId, cancellationToken);
        if (user.DisabledAt is not null)
        {
            return AccountDisabled();
        }

        if (await twoFactor.VerifyAsync(user, code, recoveryCode, ErrorKind.Unauthorized, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!await accountTokens.SpendAsync(token.Id, cancellationToken))
        {
            return InvalidChallenge();
        }

        return await StartSessionAsync(user, client, cancellationToken);
    }

    internal static Error AccountDisabled() => new(
        ErrorKind.Forbidden, AccountErrorCodes.AccountDisabled, "This account is disabled. Ask an admin of this server to enable it.");

    private static Error InvalidChallenge() => Error.Unauthorized(
        AccountErrorCodes.InvalidTwoFactorChallenge, "The sign-in challenge is unknown, used or expired. Sign in with your password again.");

    /// <summary>A new session with its first refresh token and an access token; the new sign-in notice goes in the same save.</summary>
    private async Task<AuthTokens> StartSessionAsync(User user, ClientInfo client, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var session = new UserSession
        {
            Id = Guid.CreateVersion7(now),
            UserId = user.Id,
            CreatedAt = now,
            LastUsedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
            IpAddress = Truncate(client.IpAddress, 64),
            UserAgent = Truncate(client.UserAgent, 256),
        };
        db.Sessions.Add(session);
        var refresh = AddRefreshToken(session, now);
        if (mail.SignInNoticesEnabled && user.EmailVerifiedAt is not null)
        {
            await mail.EnqueueAsync(
                new AccountMailPayload(AccountMailKind.SignIn, user.Id, session.IpAddress, session.UserAgent, now), onePerMinute: false, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        LogSignedIn(user.Id, session.Id);
        var (access, expiresAt) = accessTokens.Issue(user, session.Id);
        return new AuthTokens(access, refresh, expiresAt, session.Id, user);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} signed in, session {SessionId}")]
    private partial void LogSignedIn(Guid userId, Guid sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed sign-in from {IpAddress}")]
    private partial void LogLoginFailed(string? ipAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in throttled for {IpAddress}")]
    private partial void LogLoginThrottled(string? ipAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in refused: user {UserId} is disabled")]
    private partial void LogDisabledSignIn(Guid userId);
}
