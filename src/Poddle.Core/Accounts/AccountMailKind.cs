namespace Poddle.Core.Accounts;

/// <summary>The mails accounts send (wire values in job payloads; never rename).</summary>
public static class AccountMailKind
{
    /// <summary>A password reset code, to the account's address whether verified or not (it is the account's address).</summary>
    public const string PasswordReset = "password-reset";

    /// <summary>A code that proves the owner reads mail at the address.</summary>
    public const string EmailVerification = "email-verification";

    /// <summary>Notice: a new sign-in (when, from where). Only to a verified address.</summary>
    public const string SignIn = "sign-in";

    /// <summary>Notice: the password changed (by the user, by a reset, or by an admin). Only to a verified address.</summary>
    public const string PasswordChanged = "password-changed";
}
