using Microsoft.AspNetCore.Http;
using Poddle.Core.Accounts;
using Poddle.Web.Localization;

namespace Poddle.Web.Auth;

/// <summary>The last step of every browser sign-in (password, two-factor, sign-up) and sign-out.</summary>
public static class WebSignIn
{
    /// <summary>The cookie that carries the two-factor challenge from the password step to the code step (HttpOnly, /signin only).</summary>
    public const string ChallengeCookie = ".poddle.signin-challenge";

    /// <summary>Sets the sign-in cookie for the new session and the user's saved language, if any.</summary>
    public static async Task CompleteAsync(HttpContext http, AuthTokens session)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(session);
        await WebAuthentication.SignInAsync(http, session);
        http.Response.Cookies.Delete(ChallengeCookie, new CookieOptions { Path = WebPaths.SignIn });
        if (Languages.Find(session.User.PreferredLanguage) is { } language)
        {
            WebCultures.Remember(http, language);
        }
    }

    /// <summary>Keeps the two-factor challenge until it expires; it is a secret, so never in the address.</summary>
    public static void KeepChallenge(HttpContext http, TwoFactorChallenge challenge)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(challenge);
        http.Response.Cookies.Append(ChallengeCookie, challenge.Challenge, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = WebPaths.SignIn,
            Expires = challenge.ExpiresAt,
            IsEssential = true,
        });
    }

    public static string? Challenge(HttpContext http) => http?.Request.Cookies[ChallengeCookie];
}
