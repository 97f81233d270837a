namespace Poddle.Core.Pools;

/// <summary>The one HTTP client webhooks are sent with (a singleton, so connections are pooled); it follows no redirect.</summary>
public sealed class PoolWebhookClient : IDisposable
{
    public HttpClient Http { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromMinutes(2),
    };

    public void Dispose() => Http.Dispose();
}
