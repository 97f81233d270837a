namespace Poddle.Contracts;

/// <summary>
/// The answer of POST /api/auth/login (202) when the account has two-factor sign-in: send <see cref="Challenge"/> with a
/// code to POST /api/auth/login/two-factor before <see cref="ExpiresAt"/>. It works once.
/// </summary>
public sealed record TwoFactorChallengeResponse(string Challenge, DateTimeOffset ExpiresAt, bool TwoFactorRequired = true);

/// <summary>The second sign-in step: the challenge and either a code from the authenticator app or a recovery code.</summary>
public sealed record TwoFactorLoginRequest(string? Challenge, string? Code = null, string? RecoveryCode = null);

public sealed record TwoFactorStatusResponse(bool Enabled, bool Pending, int RecoveryCodesLeft);

/// <summary>Setting up two-factor sign-in needs the current password.</summary>
public sealed record TwoFactorSetupRequest(string? Password);

/// <summary>The new key for an authenticator app (base32 and as an otpauth:// URI); it takes effect once a code from it is confirmed.</summary>
public sealed record TwoFactorSetupResponse(string Secret, string OtpauthUri, int Digits, int PeriodSeconds);

public sealed record TwoFactorEnableRequest(string? Code);

/// <summary>Shown once: each code signs in once in place of an authenticator code.</summary>
public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

/// <summary>Turning two-factor sign-in off needs the password and a code (or a recovery code).</summary>
public sealed record TwoFactorDisableRequest(string? Password, string? Code = null, string? RecoveryCode = null);

/// <summary>Ask for a password reset code by mail; the answer is the same whether or not an account has the address.</summary>
public sealed record PasswordResetRequest(string? Email);

public sealed record PasswordResetConfirmRequest(string? Token, string? NewPassword);

public sealed record VerifyEmailRequest(string? Token);

/// <summary>A request was taken; <see cref="Message"/> says what happens next.</summary>
public sealed record AcceptedResponse(string Message);

/// <summary>An admin sets a user's password: the given one, or (when null) a generated one returned once.</summary>
public sealed record AdminPasswordResetRequest(string? Password = null);

/// <summary><see cref="Password"/> is the generated password (null when the admin gave one); it is not shown again.</summary>
public sealed record AdminPasswordResetResponse(string? Password);
