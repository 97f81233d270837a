using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Accounts;

/// <summary>Tokens handed out at login and refresh.</summary>
public sealed record AuthTokens(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt, Guid SessionId, User User);

/// <summary>Where a sign-in comes from; kept on the session so people can recognise their devices.</summary>
public sealed record ClientInfo(string? IpAddress, string? UserAgent);

public sealed record NewUser(string? Email, string? Username, string? Password, string? DisplayName = null);

/// <summary>
/// A profile change; <paramref name="CallerSessionId"/> is the session that asks (kept signed in when the password changes);
/// <paramref name="PreferredLanguage"/> is one of <see cref="Languages.All"/>, or "" to forget the preference.
/// </summary>
public sealed record UserChanges(string? DisplayName, string? Email, string? Password, string? CurrentPassword, Guid? CallerSessionId = null, string? PreferredLanguage = null);

/// <summary>Registration, sign-in, token refresh with rotation and reuse detection, sessions, and profile changes.</summary>
/// <remarks>Split by concern: sign-in (password, two-factor step, sessions) is in AccountService.SignIn.cs.</remarks>
public sealed partial class AccountService(
    PoddleDbContext db,
    PasswordHasher passwords,
    AccessTokenIssuer accessTokens,
    AccountMail mail,
    AccountTokenStore accountTokens,
    FailedAttempts failures,
    TwoFactorService twoFactor,
    IDatabaseErrors databaseErrors,
    IOptions<AuthOptions> options,
    TimeProvider clock,
    ILogger<AccountService> logger)
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 256;

    public async Task<Result<User>> RegisterAsync(NewUser input, UserRole role, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var email = input.Email?.Trim().ToLowerInvariant();
        var username = input.Username?.Trim().ToLowerInvariant();
        if (!Validators.IsEmail(email))
        {
            errors.Add(FieldPath.Of(nameof(NewUser.Email)), "Must be an email address of at most 254 characters.");
        }

        if (!Validators.IsUsername(username))
        {
            errors.Add(FieldPath.Of(nameof(NewUser.Username)), "Must be 3-32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        ValidatePassword(input.Password, FieldPath.Of(nameof(NewUser.Password)), errors);
        ValidateDisplayName(input.DisplayName, errors);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        if (await db.Users.AnyAsync(u => u.Email == email, cancellationToken))
        {
            return Error.Conflict(AccountErrorCodes.EmailTaken, "An account with this email already exists.", FieldPath.Of(nameof(NewUser.Email)));
        }

        if (await db.Users.AnyAsync(u => u.Username == username, cancellationToken))
        {
            return Error.Conflict(AccountErrorCodes.UsernameTaken, "This username is taken.", FieldPath.Of(nameof(NewUser.Username)));
        }

        var now = clock.GetStoredUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(now),
            Email = email!,
            Username = username!,
            DisplayName = string.IsNullOrWhiteSpace(input.DisplayName) ? null : input.DisplayName.Trim(),
            PasswordHash = passwords.Hash(input.Password!),
            Role = role,
            Tier = UserTier.Free,
            CreatedAt = now,
            UpdatedAt = now,

            // Admins are made by the operator at start (PODDLE_ADMIN_*), who vouches for the address.
            EmailVerifiedAt = role == UserRole.Admin ? now : null,
        };
        db.Users.Add(user);
        if (user.EmailVerifiedAt is null)
        {
            // Sent after the account commits (same SaveChanges); without SMTP nothing is queued.
            await mail.EnqueueAsync(new AccountMailPayload(AccountMailKind.EmailVerification, user.Id), onePerMinute: false, cancellationToken);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            // Lost a race with a concurrent registration of the same email or username.
            db.ChangeTracker.Clear();
            return Error.Conflict(AccountErrorCodes.AccountExists, "An account with this email or username already exists.", FieldPath.Of(nameof(NewUser.Email)));
        }

        LogRegistered(user.Id, user.Role);
        return user;
    }

    /// <summary>
    /// Exchanges a refresh token for a new pair. The old token is spent; presenting a spent token again means it
    /// was stolen (or replayed), so the whole session — every token descended from the same login — is revoked.
    /// </summary>
    public async Task<Result<AuthTokens>> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refreshToken) || refreshToken.Length > 200)
        {
            return Error.Validation(FieldPath.Of(nameof(refreshToken)), "Give the refresh token from login or the last refresh.");
        }

        var now = clock.GetStoredUtcNow();
        var hash = SecretTokens.Hash(refreshToken);
        var token = await db.RefreshTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null)
        {
            return InvalidRefresh();
        }

        var session = await db.Sessions.FirstAsync(s => s.Id == token.SessionId, cancellationToken);
        if (session.RevokedAt is not null || session.ExpiresAt <= now || token.ExpiresAt <= now)
        {
            return InvalidRefresh();
        }

        // Spend the token with a conditional update so two concurrent refreshes with the same token cannot both win.
        var spent = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (spent == 0)
        {
            await RevokeSessionAsync(session.Id, "refresh-token-reuse", cancellationToken);
            LogRefreshReuse(session.UserId, session.Id);
            return InvalidRefresh();
        }

        var user = await db.Users.FirstAsync(u => u.Id == session.UserId, cancellationToken);
        if (user.DisabledAt is not null)
        {
            return InvalidRefresh();
        }

        session.LastUsedAt = now;
        var refresh = AddRefreshToken(session, now);
        await db.SaveChangesAsync(cancellationToken);
        var (access, expiresAt) = accessTokens.Issue(user, session.Id);
        return new AuthTokens(access, refresh, expiresAt, session.Id, user);
    }

    /// <summary>True when the session named in an access token still stands (not revoked, not expired, its user not disabled).</summary>
    public Task<bool> IsSessionActiveAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        return db.Sessions
            .Where(s => s.Id == sessionId && s.RevokedAt == null && s.ExpiresAt > now)
            .Join(db.Users, s => s.UserId, u => u.Id, (_, u) => u)
            .AnyAsync(u => u.DisabledAt == null, cancellationToken);
    }

    /// <summary>
    /// The user of a session that still stands (as <see cref="IsSessionActiveAsync"/>), or null; marks the session used
    /// now (at most once a minute). The web app's cookie names a session and asks this at most once per check interval.
    /// </summary>
    public async Task<User?> TouchSessionAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        var user = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.RevokedAt == null && s.ExpiresAt > now)
            .Join(db.Users, s => s.UserId, u => u.Id, (_, u) => u)
            .FirstOrDefaultAsync(u => u.DisabledAt == null, cancellationToken);
        if (user is not null)
        {
            // At most one write a minute per session: "last used" is for people, and SQLite has one writer.
            var staleBefore = now - TimeSpan.FromMinutes(1);
            await db.Sessions.Where(s => s.Id == sessionId && s.LastUsedAt < staleBefore)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastUsedAt, now), cancellationToken);
        }

        return user;
    }

    public async Task LogoutAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await RevokeSessionAsync(sessionId, "logout", cancellationToken);

    public async Task<IReadOnlyList<UserSession>> ListSessionsAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        return await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastUsedAt)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Ends one of the caller's sessions; a session of another user is "not found".</summary>
    public async Task<Result<bool>> RevokeSessionAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken)
    {
        var exists = await db.Sessions.AnyAsync(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null, cancellationToken);
        if (!exists)
        {
            return Error.NotFound("Session");
        }

        await RevokeSessionAsync(sessionId, "revoked", cancellationToken);
        return true;
    }

    public async Task<User?> FindUserAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);

    public async Task<Result<User>> UpdateUserAsync(Guid userId, UserChanges changes, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("User");
        }

        var errors = new FieldErrors();
        string? email = null;
        if (changes.Email is not null)
        {
            email = changes.Email.Trim().ToLowerInvariant();
            if (!Validators.IsEmail(email))
            {
                errors.Add(FieldPath.Of(nameof(UserChanges.Email)), "Must be an email address of at most 254 characters.");
            }
        }

        ValidateDisplayName(changes.DisplayName, errors);
        if (changes.PreferredLanguage is { Length: > 0 } language && Languages.Find(language) is null)
        {
            errors.Add(FieldPath.Of(nameof(UserChanges.PreferredLanguage)), $"Must be one of: {string.Join(", ", Languages.All)} (or empty to forget it).");
        }

        if (changes.Password is not null)
        {
            ValidatePassword(changes.Password, FieldPath.Of(nameof(UserChanges.Password)), errors);
        }

        if (changes.Password is not null || (email is not null && email != user.Email))
        {
            if (string.IsNullOrEmpty(changes.CurrentPassword) || changes.CurrentPassword.Length > MaxPasswordLength
                || !PasswordHasher.Verify(changes.CurrentPassword, user.PasswordHash))
            {
                errors.Add(FieldPath.Of(nameof(UserChanges.CurrentPassword)), "Changing the email or password needs the current password.");
            }
        }

        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        if (email is not null && email != user.Email)
        {
            if (await db.Users.AnyAsync(u => u.Email == email && u.Id != userId, cancellationToken))
            {
                return Error.Conflict(AccountErrorCodes.EmailTaken, "An account with this email already exists.", FieldPath.Of(nameof(NewUser.Email)));
            }

            user.Email = email;

            // The new address is unproven, and codes mailed to the old one must not work for the new one.
            user.EmailVerifiedAt = null;
            await accountTokens.VoidAsync(user.Id, [AccountTokenPurpose.PasswordReset, AccountTokenPurpose.EmailVerification], cancellationToken);
            await mail.EnqueueAsync(new AccountMailPayload(AccountMailKind.EmailVerification, user.Id), onePerMinute: false, cancellationToken);
        }

        if (changes.DisplayName is not null)
        {
            user.DisplayName = changes.DisplayName.Trim().Length == 0 ? null : changes.DisplayName.Trim();
        }

        if (changes.PreferredLanguage is not null)
        {
            user.PreferredLanguage = Languages.Find(changes.PreferredLanguage);
        }

        if (changes.Password is not null)
        {
            // A new password signs out every other device: whoever knew the old one loses their sessions too.
            await SetPasswordAsync(user, changes.Password, "password-changed", changes.CallerSessionId, cancellationToken);
        }

        user.UpdatedAt = clock.GetStoredUtcNow();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (databaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return Error.Conflict(AccountErrorCodes.EmailTaken, "An account with this email already exists.", FieldPath.Of(nameof(NewUser.Email)));
        }

        return user;
    }

    /// <summary>
    /// Creates the first admin when the database has none. Returns the generated password when none was
    /// configured (the caller prints it once), or null when nothing was created or the password was given.
    /// </summary>
    public async Task<Result<string?>> EnsureAdminAsync(string email, string username, string? password, CancellationToken cancellationToken)
    {
        if (await db.Users.AnyAsync(u => u.Role == UserRole.Admin, cancellationToken))
        {
            return (string?)null;
        }

        var generated = password is null ? SecretTokens.NewPassword() : null;
        var created = await RegisterAsync(new NewUser(email, username, password ?? generated), UserRole.Admin, cancellationToken);
        if (!created.IsSuccess)
        {
            return created.Error;
        }

        return generated;
    }

    /// <summary>
    /// Sets a new password on a tracked user (saved by the caller): every session but <paramref name="keepSessionId"/> ends
    /// at once with <paramref name="reason"/>, unused reset codes become void, and a "password changed" notice is queued.
    /// </summary>
    internal async Task SetPasswordAsync(User user, string password, string reason, Guid? keepSessionId, CancellationToken cancellationToken)
    {
        user.PasswordHash = passwords.Hash(password);
        var now = clock.GetStoredUtcNow();
        user.UpdatedAt = now;
        await db.Sessions
            .Where(s => s.UserId == user.Id && s.RevokedAt == null && s.Id != keepSessionId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
        await accountTokens.VoidAsync(user.Id, [AccountTokenPurpose.PasswordReset], cancellationToken);
        await mail.EnqueueAsync(new AccountMailPayload(AccountMailKind.PasswordChanged, user.Id, At: now), onePerMinute: false, cancellationToken);
    }

    internal static void ValidatePassword(string? password, FieldPath field, FieldErrors errors)
    {
        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
        {
            errors.Add(field, $"Must be {MinPasswordLength}-{MaxPasswordLength} characters.");
        }
    }

    private static void ValidateDisplayName(string? displayName, FieldErrors errors)
    {
        if (displayName is { Length: > 100 })
        {
            errors.Add(FieldPath.Of(nameof(UserChanges.DisplayName)), "Must be at most 100 characters.");
        }
    }

    private static Error InvalidRefresh() =>
        Error.Unauthorized(AccountErrorCodes.InvalidRefreshToken, "The refresh token is invalid, expired or already used. Sign in again.");

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];

    private string AddRefreshToken(UserSession session, DateTimeOffset now)
    {
        var refresh = SecretTokens.NewRefreshToken();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(now),
            SessionId = session.Id,
            TokenHash = SecretTokens.Hash(refresh),
            CreatedAt = now,
            ExpiresAt = session.ExpiresAt,
        });
        return refresh;
    }

    private async Task RevokeSessionAsync(Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetStoredUtcNow();
        await db.Sessions
            .Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered user {UserId} with role {Role}")]
    private partial void LogRegistered(Guid userId, UserRole role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh token reused for user {UserId}; session {SessionId} revoked")]
    private partial void LogRefreshReuse(Guid userId, Guid sessionId);
}
