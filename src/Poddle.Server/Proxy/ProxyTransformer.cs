using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Poddle.Server.Proxy;

/// <summary>
/// What the proxy changes on the way through, on top of YARP's copying (which already drops hop-by-hop headers):
/// keeps the original Host, sets X-Forwarded-For (appended), -Proto and -Host; adds security headers to responses
/// that do not set them (HSTS only over HTTPS).
/// </summary>
public sealed class ProxyTransformer : HttpTransformer
{
    public const string ContentTypeOptions = "nosniff";
    public const string ReferrerPolicy = "strict-origin-when-cross-origin";
    public const string FrameOptions = "SAMEORIGIN";
    public const string StrictTransportSecurity = "max-age=31536000";

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var request = httpContext.Request;
        var headers = proxyRequest.Headers;

        // Apps see the name they were reached by (as Heroku, Traefik and Caddy do), not 127.0.0.1:port.
        headers.Host = request.Host.Value;

        var remote = httpContext.Connection.RemoteIpAddress?.ToString();
        var forwardedFor = request.Headers["X-Forwarded-For"];
        headers.Remove("X-Forwarded-For");
        if (remote is not null)
        {
            headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor.Count == 0 ? remote : $"{forwardedFor}, {remote}");
        }

        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        headers.Remove("X-Forwarded-Host");
        headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        AddSecurityHeaders(httpContext);
        return result;
    }

    /// <summary>Adds each security header the response does not already carry.</summary>
    public static void AddSecurityHeaders(HttpContext httpContext)
    {
        var headers = httpContext.Response.Headers;
        headers.TryAdd(HeaderNames.XContentTypeOptions, ContentTypeOptions);
        headers.TryAdd("Referrer-Policy", ReferrerPolicy);
        headers.TryAdd(HeaderNames.XFrameOptions, FrameOptions);
        if (httpContext.Request.IsHttps)
        {
            headers.TryAdd(HeaderNames.StrictTransportSecurity, StrictTransportSecurity);
        }
    }
}
