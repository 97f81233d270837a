using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Poddle.Web.Auth;

namespace Poddle.Web.Security;

/// <summary>
/// The security headers of the web app's responses. Runs after the reverse proxy in the pipeline, so an app host's
/// (proxied) responses never get them; the API's paths keep their own (none of these: the API serves JSON, and its
/// reference page at /docs loads its own scripts).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The minimal policy that Blazor Server, MudBlazor and Monaco (BlazorMonaco) work with:
    /// <list type="bullet">
    /// <item>script-src 'self': blazor.web.js, MudBlazor.min.js and Monaco's AMD loader and modules are all files of this
    /// site; no inline script and no eval are needed (Blazor Server does not evaluate code; App.razor renders no inline
    /// import map for that reason).</item>
    /// <item>worker-src 'self' blob:: Monaco starts its language workers from a blob: URL that loads the worker script
    /// from this site.</item>
    /// <item>style-src 'self' 'unsafe-inline': Monaco injects &lt;style&gt; elements, and MudBlazor and Blazor's
    /// reconnect dialog set style attributes. Styles cannot run code.</item>
    /// <item>font-src and img-src 'self' data:: Monaco's codicon font and MudBlazor's inline SVG images.</item>
    /// <item>connect-src 'self': the circuit's WebSocket (CSP 3: 'self' covers ws:/wss: to this host).</item>
    /// <item>frame-ancestors 'none', form-action 'self', base-uri 'self', object-src 'none'.</item>
    /// </list>
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; " +
        "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; " +
        "base-uri 'self'; object-src 'none'";

    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    /// <summary>Adds the headers to every web app response (pages, assets, the circuit's negotiation).</summary>
    public static Task AddAsync(HttpContext http, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(next);
        if (WebAuthentication.IsWebRequest(http.Request))
        {
            var headers = http.Response.Headers;
            headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            headers[HeaderNames.XFrameOptions] = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
        }

        return next();
    }
}
