using Microsoft.Extensions.Options;
using Poddle.Core.Common;

namespace Poddle.Core.Pools;

/// <summary>
/// The one HTTP client webhooks are sent with (a singleton, so connections are pooled). It follows no redirect, and unless
/// <see cref="PoolOptions.WebhookPrivateNetworks"/> is set it connects only to public addresses: a webhook is a URL a user
/// chose, sent from inside the server's network (<see cref="WebhookHttpHandler"/>).
/// </summary>
public sealed class PoolWebhookClient : IDisposable
{
    public PoolWebhookClient(IOptions<PoolOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Http = new HttpClient(WebhookHttpHandler.Create(options.Value.WebhookPrivateNetworks, "Pools:WebhookPrivateNetworks")) { Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Http { get; }

    public void Dispose() => Http.Dispose();
}
