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
    /// Failed sign-ins from one client IP, across every account, within <see cref="FailedLoginWindow"/> before that IP
    /// is refused (credential stuffing tries many accounts from one address).
    /// </summary>
    public int MaxFailedLoginsPerIp { get; set; } = 50;

    /// <summary>Wrong two-factor codes (or passwords at two-factor changes) per account within <see cref="FailedLoginWindow"/>.</summary>
    public int MaxFailedTwoFactorCodes { get; set; } = 5;

    /// <summary>How long a password reset code sent by mail works.</summary>
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an email verification code sent by mail works.</summary>
    public TimeSpan EmailVerificationLifetime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long the challenge between the password and the code of a two-factor sign-in works.</summary>
    public TimeSpan TwoFactorChallengeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// HMAC-SHA256 key for access tokens, base64, at least 32 bytes. When empty the server generates one and
    /// keeps it in the data directory, so tokens survive restarts. Several servers must share one key.
    /// </summary>
    public string? SigningKey { get; set; }
}
