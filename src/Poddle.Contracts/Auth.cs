namespace Poddle.Contracts;

public sealed record RegisterRequest(string? Email, string? Username, string? Password, string? DisplayName = null);

/// <summary>Sign in with <see cref="Login"/> (email or username), or with <see cref="Email"/> or <see cref="Username"/>.</summary>
public sealed record LoginRequest(string? Login = null, string? Password = null, string? Email = null, string? Username = null);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record LogoutRequest(string? RefreshToken = null);

/// <summary>
/// An account. <see cref="EmailVerified"/>: the owner proved the address (needed to deploy where the server requires
/// it); <see cref="TwoFactorEnabled"/>: sign-in needs a code; <see cref="Disabled"/>: an admin disabled it.
/// </summary>
public sealed record UserResponse(
    Guid Id,
    string Email,
    string Username,
    string? DisplayName,
    string Role,
    string Tier,
    DateTimeOffset CreatedAt,
    bool EmailVerified = false,
    bool TwoFactorEnabled = false,
    bool Disabled = false,
    string? PreferredLanguage = null);

public sealed record TokenResponse(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt, string TokenType, UserResponse User);

/// <summary><see cref="PreferredLanguage"/>: "en", "ru" or "uz-Latn" (the web app's language), "" to forget it.</summary>
public sealed record UpdateUserRequest(string? DisplayName = null, string? Email = null, string? Password = null, string? CurrentPassword = null, string? PreferredLanguage = null);

public sealed record SessionResponse(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, DateTimeOffset ExpiresAt, string? IpAddress, string? UserAgent, bool Current);

public sealed record CreateApiTokenRequest(string? Name, int? ExpiresInDays = null);

public sealed record ApiTokenResponse(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt);

/// <summary>Returned once, at creation: <see cref="Token"/> is never shown again.</summary>
public sealed record CreatedApiTokenResponse(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string Token);
