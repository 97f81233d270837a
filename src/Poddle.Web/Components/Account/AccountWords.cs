using Microsoft.Extensions.Localization;
using Poddle.Core.Accounts;
using Poddle.Core.Common;
using Poddle.Web.Resources;

namespace Poddle.Web.Components.Account;

/// <summary>
/// Core's outcomes in the visitor's language: each field's rule and each error code has its own sentence (Core's own
/// messages are English), and a wait is said in seconds or minutes, never as a bare number.
/// </summary>
internal static class AccountWords
{
    /// <summary>The sentence for each field Core may name, by the field's wire name.</summary>
    private static readonly Dictionary<string, string> FieldRules = new(StringComparer.Ordinal)
    {
        ["login"] = "LoginRequired",
        ["password"] = "PasswordRule",
        ["newPassword"] = "PasswordRule",
        ["email"] = "EmailRule",
        ["username"] = "UsernameRule",
        ["displayName"] = "DisplayNameRule",
        ["token"] = "InvalidResetCode",
    };

    /// <summary>"40 seconds" or "3 minutes" (rounded up), in the page's language.</summary>
    public static string Wait(IStringLocalizer<AccountText> text, TimeSpan wait) =>
        wait <= TimeSpan.FromSeconds(90)
            ? text["Seconds", Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))]
            : text["Minutes", (int)Math.Ceiling(wait.TotalMinutes)];

    /// <summary>The form-wide message for <paramref name="error"/>; null when its fields say it all.</summary>
    public static string? Message(IStringLocalizer<AccountText> text, Error error) => error.Code switch
    {
        AccountErrorCodes.InvalidCredentials => text["InvalidCredentials"],
        AccountErrorCodes.AccountDisabled => text["AccountDisabled"],
        AccountErrorCodes.TooManyLoginAttempts or AccountErrorCodes.TooManyTwoFactorAttempts =>
            text["TooManyTries", Wait(text, error.RetryAfter ?? TimeSpan.FromMinutes(1))],
        AccountErrorCodes.InvalidTwoFactorChallenge => text["ChallengeExpired"],
        AccountErrorCodes.InvalidTwoFactorCode => text["InvalidCode"],
        AccountErrorCodes.EmailNotConfigured => text["MailNotConfigured"],
        _ when error.Fields is { Count: > 0 } => null,
        _ => error.Message,
    };

    /// <summary>Each invalid field's sentence, by field name (the page shows it next to the field).</summary>
    public static Dictionary<string, string> Fields(IStringLocalizer<AccountText> text, Error error)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, messages) in error.Fields ?? new Dictionary<string, string[]>())
        {
            // Core names a field by its own model (Username, NewPassword); the forms name theirs as the API does (username).
            var field = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(path);
            fields[field] = error.Code switch
            {
                AccountErrorCodes.EmailTaken or AccountErrorCodes.AccountExists => text["EmailTaken"],
                AccountErrorCodes.UsernameTaken => text["UsernameTaken"],
                _ => FieldRules.TryGetValue(field, out var key) ? text[key] : string.Join(' ', messages),
            };
        }

        return fields;
    }

    /// <summary>The "wait" sentence for a page the rate limiter sent back (<see cref="Auth.AccountRateLimits.RetryAfterQuery"/>).</summary>
    public static string? RateLimited(IStringLocalizer<AccountText> text, int? retryAfterSeconds) =>
        retryAfterSeconds is > 0 and var seconds ? text["TooManyTries", Wait(text, TimeSpan.FromSeconds(seconds))].Value : null;
}
