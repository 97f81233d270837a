using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Poddle.Core.Accounts;

namespace Poddle.Web.Localization;

/// <summary>
/// The web app's languages (<see cref="Languages"/>: English, Russian, Uzbek in Latin script). A request's language is,
/// in order: the culture cookie (set by the language menu and at sign-in from the user's saved choice), then the
/// browser's Accept-Language, then English. Only the web app's requests get a culture; the API stays invariant.
/// </summary>
public static class WebCultures
{
    public static string CookieName => CookieRequestCultureProvider.DefaultCookieName;

    /// <summary>The menu's labels: each language's name in that language, the same whatever the page's language.</summary>
    public static IReadOnlyList<(string Language, string NativeName)> Menu { get; } =
    [
        (Languages.English, "English"),
        (Languages.Russian, "Русский"),
        (Languages.UzbekLatin, "Oʻzbekcha"),
    ];

    public static RequestLocalizationOptions Options()
    {
        var cultures = Languages.All.Select(CultureInfo.GetCultureInfo).ToList();
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture(Languages.English),
            SupportedCultures = cultures,
            SupportedUICultures = cultures,
            FallBackToParentCultures = true,
            FallBackToParentUICultures = true,
        };

        // Cookie first, then the browser's languages; the query string is not a way in (links stay clean).
        options.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        return options;
    }

    /// <summary>The language of the page: the current UI culture's name if supported (uz-Latn-UZ → uz-Latn), else English.</summary>
    public static string Current()
    {
        for (var culture = CultureInfo.CurrentUICulture; !string.IsNullOrEmpty(culture.Name); culture = culture.Parent)
        {
            if (Languages.Find(culture.Name) is { } language)
            {
                return language;
            }
        }

        return Languages.English;
    }

    /// <summary>Remembers <paramref name="language"/> in the culture cookie for a year (not HttpOnly-critical: it holds no secret).</summary>
    public static void Remember(HttpContext http, string language)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Cookies.Append(
            CookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
            new CookieOptions
            {
                MaxAge = TimeSpan.FromDays(365),
                HttpOnly = true,
                IsEssential = true,
                SameSite = SameSiteMode.Lax,
                Secure = http.Request.IsHttps,
                Path = "/",
            });
    }
}
