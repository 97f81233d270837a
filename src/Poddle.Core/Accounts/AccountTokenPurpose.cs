namespace Poddle.Core.Accounts;

/// <summary>What an <see cref="AccountToken"/> is for (stored; never renumber or rename).</summary>
public static class AccountTokenPurpose
{
    public const string PasswordReset = "password-reset";
    public const string EmailVerification = "email-verification";
    public const string TwoFactorChallenge = "two-factor-challenge";
}
