using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Poddle.Server.Errors;
using Yarp.ReverseProxy.Forwarder;

namespace Poddle.Server.Proxy;

/// <summary>
/// First in the pipeline: a request whose Host is an app's goes to that app's ready replicas, whatever its path
/// (so /api/... on an app host reaches the app); an unknown subdomain of the base domain is a 404; anything else
/// continues to Poddle's API. Forwarding is YARP's <see cref="IHttpForwarder"/> (streaming, WebSockets, SSE,
/// hop-by-hop headers); balancing, passive health and the retry are here, because YARP has no retry and a route
/// table keyed by host fits a dictionary better than endpoint routing shared with the API.
/// </summary>
public sealed partial class ProxyMiddleware(
    RequestDelegate next,
    ProxyRoutes routes,
    IHttpForwarder forwarder,
    ProxyHttpClient client,
    ProxyTransformer transformer,
    PassiveHealth health,
    ProxyMetrics metrics,
    IOptions<ProxyOptions> options,
    ILogger<ProxyMiddleware> logger)
{
    private readonly ForwarderRequestConfig _requestConfig = new()
    {
        ActivityTimeout = options.Value.ActivityTimeout,
        Version = System.Net.HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    public Task InvokeAsync(HttpContext context)
    {
        var table = routes.Current;
        var host = context.Request.Host.Host;
        if (table.TryFind(host, out var route))
        {
            return ProxyAsync(context, route);
        }

        return table.IsAppDomain(host) ? NotFoundAsync(context) : next(context);
    }

    private async Task ProxyAsync(HttpContext context, ProxyRoute route)
    {
        var started = Stopwatch.GetTimestamp();
        if (route.Destinations.Count == 0)
        {
            await NoReadyReplicaAsync(context, route);
            metrics.Record(route.Name, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
            return;
        }

        var destination = health.Pick(route);
        var error = await forwarder.SendAsync(context, destination.Prefix, client.Invoker, _requestConfig, transformer);
        if (error == ForwarderError.None)
        {
            health.MarkHealthy(destination);
        }
        else if (error is ForwarderError.Request or ForwarderError.RequestTimedOut)
        {
            // Nothing came back from the replica (refused, reset, closed, no answer in time): out of rotation for a while.
            health.MarkFailed(destination);
            LogDestinationFailed(logger, route.Name, destination.Key, context.GetForwarderErrorFeature()?.Exception?.Message);
            if (CanRetry(context, route))
            {
                var second = health.Pick(route, exclude: destination);
                context.Response.Clear();
                context.Features.Set<IForwarderErrorFeature>(null);
                metrics.Retried();
                if (await forwarder.SendAsync(context, second.Prefix, client.Invoker, _requestConfig, transformer) is ForwarderError.Request or ForwarderError.RequestTimedOut)
                {
                    health.MarkFailed(second);
                }
            }
        }

        if (context.Response.StatusCode == StatusCodes.Status502BadGateway && !context.Response.HasStarted)
        {
            ProxyTransformer.AddSecurityHeaders(context);
        }

        metrics.Record(route.Name, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// A second try is safe when the response has not started and the request can be sent again unchanged: GET, HEAD or
    /// OPTIONS without a body (a WebSocket upgrade is a GET, but an upgrade that failed is retried the same way).
    /// </summary>
    private static bool CanRetry(HttpContext context, ProxyRoute route)
    {
        var request = context.Request;
        return route.Destinations.Count > 1
            && !context.Response.HasStarted
            && !context.RequestAborted.IsCancellationRequested
            && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
            && request.ContentLength is null or 0
            && !request.Headers.ContainsKey(HeaderNames.TransferEncoding);
    }

    private Task NoReadyReplicaAsync(HttpContext context, ProxyRoute route)
    {
        context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        ProxyTransformer.AddSecurityHeaders(context);
        return WriteAsync(context, Problems.Create(
            StatusCodes.Status503ServiceUnavailable,
            ProxyErrorCodes.NoReadyReplica,
            "No ready replica",
            $"The app '{route.Name}' has no ready replica at the moment; it may be starting, scaled to zero or failing its health check."),
            ProxyErrorCodes.LegacyNoReadyReplica);
    }

    private static Task NotFoundAsync(HttpContext context)
    {
        ProxyTransformer.AddSecurityHeaders(context);
        return WriteAsync(context, Problems.Create(
            StatusCodes.Status404NotFound,
            ProxyErrorCodes.AppNotFound,
            "Not Found",
            $"No app is deployed at '{context.Request.Host.Host}'."),
            ProxyErrorCodes.LegacyAppNotFound);
    }

    /// <summary>Writes a proxy problem with its pre-kebab-case code kept for one release (see <see cref="ProxyErrorCodes"/>).</summary>
    private static Task WriteAsync(HttpContext context, ProblemDetails problem, string legacyCode)
    {
        problem.Extensions[ProxyErrorCodes.LegacyCodeExtension] = legacyCode;
        return Problems.WriteAsync(context, problem);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Destination} of {Deployment} failed ({Reason}); out of rotation for a while")]
    private static partial void LogDestinationFailed(ILogger logger, string deployment, string destination, string? reason);
}
