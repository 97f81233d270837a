using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Poddle.Core.Accounts;
using Poddle.Web.Auth;

namespace Poddle.Web.Localization;

/// <summary>
/// The app bar's language menu and dark-mode switch: small forms (with antiforgery, as every form) posted here, which
/// set a cookie and send the browser back where it was. They work the same on static pages and interactive ones, with
/// no script; the page reloads, so <c>&lt;html lang&gt;</c> and every string follow the new language.
/// </summary>
public static class PreferenceEndpoints
{
    public const string LanguagePath = "/preferences/language";
    public const string ThemePath = "/preferences/theme";
    public const string ThemeCookie = "poddle.theme";
    public const string Dark = "dark";
    public const string Light = "light";

    public static IEndpointRouteBuilder MapPreferenceEndpoints(this IEndpointRouteBuilder app)
    {
        // Form binding makes both endpoints check the antiforgery token (UseAntiforgery).
        app.MapPost(LanguagePath, SetLanguageAsync).ExcludeFromDescription();
        app.MapPost(ThemePath, SetTheme).ExcludeFromDescription();
        return app;
    }

    /// <summary>True when the browser asked for the dark theme.</summary>
    public static bool IsDark(HttpContext? http) => http?.Request.Cookies[ThemeCookie] == Dark;

    private static async Task<IResult> SetLanguageAsync(
        [FromForm] string? language, [FromForm] string? returnUrl, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        if (Languages.Find(language) is not { } chosen)
        {
            return TypedResults.BadRequest();
        }

        WebCultures.Remember(http, chosen);

        // Remembered per user too, so the next sign-in (another device) starts in this language.
        if (http.User.FindUserId() is { } userId)
        {
            await accounts.UpdateUserAsync(userId, new UserChanges(null, null, null, null, http.User.SessionId(), chosen), ct);
        }

        return TypedResults.LocalRedirect(ReturnUrls.LocalOr(returnUrl));
    }

    private static RedirectHttpResult SetTheme([FromForm] string? theme, [FromForm] string? returnUrl, HttpContext http)
    {
        http.Response.Cookies.Append(ThemeCookie, theme == Dark ? Dark : Light, new CookieOptions
        {
            MaxAge = TimeSpan.FromDays(365),
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            Path = "/",
        });
        return TypedResults.LocalRedirect(ReturnUrls.LocalOr(returnUrl));
    }
}
