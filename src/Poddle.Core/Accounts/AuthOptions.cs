namespace Poddle.Core.Accounts;

/// <summary>Authentication settings (configuration section "Auth"). Validated at start by <see cref="AuthOptionsValidator"/>.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public string Issuer { get; set; } = "poddle";

    public string Audience { get; set; } = "poddle";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>bcrypt work factor; at least 10.</summary>
    public int PasswordWorkFactor { get; set; } = 11;

    public int MaxFailedLogins { get; set; } = 5;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// HMAC-SHA256 key for access tokens, base64, at least 32 bytes. When empty the server generates one and
    /// keeps it in the data directory, so tokens survive restarts. Several servers must share one key.
    /// </summary>
    public string? SigningKey { get; set; }
}
