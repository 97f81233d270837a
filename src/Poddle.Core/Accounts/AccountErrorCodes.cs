namespace Poddle.Core.Accounts;

/// <summary>The stable error codes of accounts, sign-in, two-factor, email verification, password reset and API tokens.</summary>
public static class AccountErrorCodes
{
    public const string EmailTaken = "email-taken";
    public const string UsernameTaken = "username-taken";
    public const string AccountExists = "account-exists";
    public const string InvalidCredentials = "invalid-credentials";
    public const string InvalidRefreshToken = "invalid-refresh-token";
    public const string AccountDisabled = "account-disabled";
    public const string TooManyLoginAttempts = "too-many-login-attempts";
    public const string InvalidTwoFactorChallenge = "invalid-two-factor-challenge";
    public const string InvalidTwoFactorCode = "invalid-two-factor-code";
    public const string TooManyTwoFactorAttempts = "too-many-two-factor-attempts";
    public const string TwoFactorAlreadyEnabled = "two-factor-already-enabled";
    public const string TwoFactorNotSetUp = "two-factor-not-set-up";
    public const string TwoFactorNotEnabled = "two-factor-not-enabled";
    public const string EmailAlreadyVerified = "email-already-verified";
    public const string EmailNotVerified = "email-not-verified";
    public const string InvalidVerificationToken = "invalid-verification-token";
    public const string InvalidResetToken = "invalid-reset-token";
    public const string EmailNotConfigured = "email-not-configured";
    public const string LastAdmin = "last-admin";
    public const string CannotDisableSelf = "cannot-disable-self";
    public const string TooManyTokens = "too-many-tokens";
}
