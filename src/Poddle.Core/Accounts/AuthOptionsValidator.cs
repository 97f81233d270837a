using Microsoft.Extensions.Options;

namespace Poddle.Core.Accounts;

/// <summary>Checks <see cref="AuthOptions"/> (section "Auth"); every failure names the key to set.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.AccessTokenLifetime < TimeSpan.FromMinutes(1) || options.AccessTokenLifetime > TimeSpan.FromHours(24))
        {
            failures.Add($"Auth:AccessTokenLifetime must be between 00:01:00 and 1.00:00:00 (got {options.AccessTokenLifetime}).");
        }

        if (options.RefreshTokenLifetime < options.AccessTokenLifetime || options.RefreshTokenLifetime > TimeSpan.FromDays(365))
        {
            failures.Add($"Auth:RefreshTokenLifetime must be at least Auth:AccessTokenLifetime and at most 365.00:00:00 (got {options.RefreshTokenLifetime}).");
        }

        if (options.PasswordWorkFactor is < 10 or > 16)
        {
            failures.Add($"Auth:PasswordWorkFactor must be between 10 and 16 (got {options.PasswordWorkFactor}).");
        }

        if (options.MaxFailedLogins is < 1 or > 1000)
        {
            failures.Add($"Auth:MaxFailedLogins must be between 1 and 1000 (got {options.MaxFailedLogins}).");
        }

        if (options.FailedLoginWindow <= TimeSpan.Zero)
        {
            failures.Add($"Auth:FailedLoginWindow must be positive (got {options.FailedLoginWindow}).");
        }

        if (options.MaxFailedLoginsPerIp < options.MaxFailedLogins || options.MaxFailedLoginsPerIp > 100_000)
        {
            failures.Add($"Auth:MaxFailedLoginsPerIp must be between Auth:MaxFailedLogins and 100000 (got {options.MaxFailedLoginsPerIp}).");
        }

        if (options.MaxFailedTwoFactorCodes is < 1 or > 1000)
        {
            failures.Add($"Auth:MaxFailedTwoFactorCodes must be between 1 and 1000 (got {options.MaxFailedTwoFactorCodes}).");
        }

        CheckLifetime(failures, "Auth:PasswordResetLifetime", options.PasswordResetLifetime, TimeSpan.FromMinutes(5), TimeSpan.FromDays(1));
        CheckLifetime(failures, "Auth:EmailVerificationLifetime", options.EmailVerificationLifetime, TimeSpan.FromMinutes(5), TimeSpan.FromDays(30));
        CheckLifetime(failures, "Auth:TwoFactorChallengeLifetime", options.TwoFactorChallengeLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            try
            {
                if (Convert.FromBase64String(options.SigningKey).Length < 32)
                {
                    failures.Add("Auth:SigningKey must decode to at least 32 bytes.");
                }
            }
            catch (FormatException)
            {
                failures.Add("Auth:SigningKey must be base64.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Auth:Issuer must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Auth:Audience must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckLifetime(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key} must be between {min} and {max} (got {value}).");
        }
    }
}
