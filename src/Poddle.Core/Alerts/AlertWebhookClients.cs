using Microsoft.Extensions.Options;
using Poddle.Core.Common;

namespace Poddle.Core.Alerts;

/// <summary>
/// The HTTP clients alerts are posted with (a singleton, so connections are pooled): <see cref="Operator"/> for the
/// operators' webhooks (from configuration, so any address, private ones included) and <see cref="Owner"/> for owners'
/// own webhooks, which reach only public addresses unless <see cref="AlertsOptions.OwnerWebhookPrivateNetworks"/>
/// (<see cref="WebhookHttpHandler"/>). Neither follows a redirect.
/// </summary>
public sealed class AlertWebhookClients : IDisposable
{
    public AlertWebhookClients(IOptions<AlertsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Operator = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        Owner = new HttpClient(WebhookHttpHandler.Create(options.Value.OwnerWebhookPrivateNetworks, "Alerts:OwnerWebhookPrivateNetworks")) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient Operator { get; }

    public HttpClient Owner { get; }

    public void Dispose()
    {
        Operator.Dispose();
        Owner.Dispose();
    }
}
