namespace Poddle.Core.Accounts;

/// <summary>
/// What a user may do. Members deploy and run code; teachers also write curriculum content and see the progress of
/// their classes' students; students run code, submit solutions and see only their own progress; admins do everything.
/// </summary>
public enum UserRole
{
    Member,
    Admin,
    Teacher,
    Student,
}

/// <summary>A pricing tier; later issues attach quotas to it.</summary>
public enum UserTier
{
    Free,
    Pro,
}

public sealed class User
{
    public Guid Id { get; init; }

    /// <summary>Lower-cased; unique.</summary>
    public required string Email { get; set; }

    /// <summary>Lower-cased; unique.</summary>
    public required string Username { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>bcrypt (SHA-384 pre-hash, so passwords over 72 bytes are not truncated).</summary>
    public required string PasswordHash { get; set; }

    public UserRole Role { get; set; }

    public UserTier Tier { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the owner proved they read mail at <see cref="Email"/>; null until then, and again after an email change.</summary>
    public DateTimeOffset? EmailVerifiedAt { get; set; }

    /// <summary>Set by an admin: while set, sign-in is refused and no token of the user is accepted.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>The TOTP key, encrypted (<see cref="Common.SecretProtector"/>); pending until <see cref="TwoFactorEnabledAt"/> is set.</summary>
    public byte[]? TwoFactorSecret { get; set; }

    /// <summary>When two-factor sign-in took effect (a code confirmed the key); null while off or pending.</summary>
    public DateTimeOffset? TwoFactorEnabledAt { get; set; }

    /// <summary>The TOTP time step of the last accepted code: a code is accepted only for a later step, so none is used twice.</summary>
    public long? TwoFactorLastTimeStep { get; set; }

    public bool IsTwoFactorEnabled => TwoFactorEnabledAt is not null;

    /// <summary>The language the web app speaks to this user (one of <see cref="Languages.All"/>); null: the browser's choice.</summary>
    public string? PreferredLanguage { get; set; }
}

/// <summary>
/// One signed-in device: a refresh-token family. Revoking it ends every refresh token in the family and
/// makes access tokens that carry its id fail validation at once.
/// </summary>
public sealed class UserSession
{
    public Guid Id { get; init; }

    public Guid UserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastUsedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Why the session ended: "logout", "revoked", "refresh-token-reuse".</summary>
    public string? RevokedReason { get; set; }

    public string? UserAgent { get; init; }

    public string? IpAddress { get; init; }
}

/// <summary>A refresh token, stored only as its SHA-256. Each use rotates it; a second use of the same one is theft.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; init; }

    public Guid SessionId { get; init; }

    public required string TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Set when the token was exchanged; a token with this set must never be accepted again.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>A long-lived token for the CLI and automation, stored only as its SHA-256; shown once at creation.</summary>
public sealed class ApiToken
{
    public Guid Id { get; init; }

    public Guid UserId { get; init; }

    public required string Name { get; set; }

    public required string TokenHash { get; init; }

    /// <summary>The first characters of the token, so people can tell their tokens apart.</summary>
    public required string Prefix { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>One failed login, keyed by client IP and the login name tried; the rate limiter counts them.</summary>
public sealed class LoginFailure
{
    public long Id { get; init; }

    public required string Key { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}
