using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;

namespace Poddle.Core.Pools;

/// <summary>
/// The one HTTP client webhooks are sent with (a singleton, so connections are pooled). It follows no redirect, and unless
/// <see cref="PoolOptions.WebhookPrivateNetworks"/> is set it connects only to public addresses: a webhook is a URL a user
/// chose, sent from inside the server's network. The check is made on the addresses the name resolves to, at connect time,
/// so a name that resolves to 127.0.0.1 (or changes to it after validation) is refused as well.
/// </summary>
public sealed class PoolWebhookClient : IDisposable
{
    public PoolWebhookClient(IOptions<PoolOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var anyAddress = options.Value.WebhookPrivateNetworks;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context, anyAddress, cancellationToken),
        };
        Http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Http { get; }

    public void Dispose() => Http.Dispose();

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool anyAddress, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => anyAddress || PublicAddress.IsPublic(a)).ToList();
        if (allowed.Count == 0)
        {
            throw new HttpRequestException(
                $"The webhook's host {host} is not on a public address; a webhook may reach only the internet (an operator can allow private networks with Pools:WebhookPrivateNetworks=true).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. allowed], context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
