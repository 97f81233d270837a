namespace Poddle.Web.Auth;

/// <summary>Where to go after signing in: only a path of this site, never another origin (no open redirect).</summary>
public static class ReturnUrls
{
    public const string Parameter = "returnUrl";

    /// <summary><paramref name="returnUrl"/> when it is a local path ("/learn?x=1"), otherwise <paramref name="fallback"/>.</summary>
    public static string LocalOr(string? returnUrl, string fallback = WebPaths.Home) => IsLocal(returnUrl) ? returnUrl! : fallback;

    /// <summary>
    /// A local path starts with one '/' followed by neither '/' nor '\' ("//evil.example" and "/\evil.example" are other
    /// origins to browsers), has no control characters, and is not too long.
    /// </summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 and <= 2048 }
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);
}
