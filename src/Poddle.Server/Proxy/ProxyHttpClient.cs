using System.Net;
using Microsoft.Extensions.Options;

namespace Poddle.Server.Proxy;

/// <summary>
/// The one connection pool to replicas: HTTP/1.1 keep-alive connections reused across requests, no proxy, no
/// redirects, no decompression, no cookies, no tracing headers added.
/// </summary>
public sealed class ProxyHttpClient : IDisposable
{
    public ProxyHttpClient(IOptions<ProxyOptions> options)
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = options.Value.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            EnableMultipleHttp2Connections = true,
        });
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
