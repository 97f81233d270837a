namespace Poddle.Core.Accounts;

/// <summary>
/// A single-use, expiring secret sent to a user or handed to a client: a password reset or email verification code
/// (by mail), or the challenge between the password and the code of a two-factor sign-in. Stored only as its SHA-256
/// (the secret has 256 bits of entropy); spent by a conditional update, so two uses cannot both win.
/// </summary>
public sealed class AccountToken
{
    public Guid Id { get; init; }

    public Guid UserId { get; init; }

    /// <summary>One of <see cref="AccountTokenPurpose"/>.</summary>
    public required string Purpose { get; init; }

    public required string TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Set when the token was used (or made void by a later event); never accepted again.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}
