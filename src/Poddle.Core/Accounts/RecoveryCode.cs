namespace Poddle.Core.Accounts;

/// <summary>
/// One of a user's two-factor recovery codes, stored only as its SHA-256 (a code has 80 random bits). Shown once when
/// two-factor sign-in is turned on; each works once, in place of a TOTP code.
/// </summary>
public sealed class RecoveryCode
{
    public Guid Id { get; init; }

    public Guid UserId { get; init; }

    public required string CodeHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? UsedAt { get; set; }
}
