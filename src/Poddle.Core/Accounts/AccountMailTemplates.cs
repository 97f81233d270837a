using System.Globalization;
using Poddle.Core.Email;

namespace Poddle.Core.Accounts;

/// <summary>The text of account mails: what happened, what to do, and the CLI command that does it.</summary>
internal static class AccountMailTemplates
{
    public static OutgoingMail PasswordReset(User user, string code, TimeSpan lifetime, string? serverUrl) => new(
        user.Email,
        "Reset your Poddle password",
        $"""
        Hello {user.Username},

        Someone (hopefully you) asked to reset the password of your Poddle account.
        Your reset code:

            {code}

        It works once, for {Describe(lifetime)}. Choose a new password {InBrowser(serverUrl, "/reset-password")}with:

            poddle password reset --token {code}{ServerOption(serverUrl)}

        or POST a JSON body with "token" and "newPassword" to /api/auth/password-reset/confirm.
        Every device signed in to the account is signed out when the password changes.

        If you did not ask for this, ignore this mail: your password stays as it is.
        """);

    public static OutgoingMail EmailVerification(User user, string code, TimeSpan lifetime, string? serverUrl) => new(
        user.Email,
        "Confirm your email address for Poddle",
        $"""
        Hello {user.Username},

        Confirm that {user.Email} is the address of your Poddle account with this code:

            {code}

        It works once, for {Describe(lifetime)}. Run:

            poddle verify-email {code}{ServerOption(serverUrl)}

        or POST a JSON body with "token" to /api/auth/verify-email.

        If you did not create a Poddle account, ignore this mail.
        """);

    public static OutgoingMail SignIn(User user, AccountMailPayload payload, string? serverUrl) => new(
        user.Email,
        "New sign-in to your Poddle account",
        $"""
        Hello {user.Username},

        Your Poddle account{At(serverUrl)} was signed in to:

            when:    {Format(payload.At)}
            from:    {payload.IpAddress ?? "unknown address"}
            client:  {payload.UserAgent ?? "unknown"}

        If this was you, there is nothing to do. If not, change your password now
        (poddle password reset --email {user.Email}) and sign out the devices you do not know.
        """);

    public static OutgoingMail PasswordChanged(User user, AccountMailPayload payload, string? serverUrl) => new(
        user.Email,
        "Your Poddle password was changed",
        $"""
        Hello {user.Username},

        The password of your Poddle account{At(serverUrl)} was changed at {Format(payload.At)}.
        Every other device was signed out.

        If you did not do this, reset your password now (poddle password reset --email {user.Email})
        or ask an admin of the server.
        """);

    /// <summary>
    /// The web page that takes the code (the web app's address, Poddle.Web's WebPaths), when the server's address is
    /// known. The code stays out of the link: an address is kept in browser history and request logs, a code must not be.
    /// </summary>
    private static string InBrowser(string? serverUrl, string page) =>
        serverUrl is null ? string.Empty : $"in a browser at{Environment.NewLine}{Environment.NewLine}    {serverUrl}{page}{Environment.NewLine}{Environment.NewLine}(paste the code there) or ";

    private static string ServerOption(string? serverUrl) => serverUrl is null ? string.Empty : " --server " + serverUrl;

    private static string At(string? serverUrl) => serverUrl is null ? string.Empty : " at " + serverUrl;

    private static string Format(DateTimeOffset? at) =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "an unknown time";

    private static string Describe(TimeSpan lifetime) =>
        lifetime.TotalHours >= 1
            ? (lifetime.TotalHours == 1 ? "1 hour" : string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalHours:0.#} hours"))
            : string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalMinutes:0} minutes");
}
