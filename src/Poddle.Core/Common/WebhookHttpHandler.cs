using System.Net;
using System.Net.Sockets;

namespace Poddle.Core.Common;

/// <summary>
/// The HTTP handler of webhooks whose URL a user chose (pool jobs' webhooks, owners' alert webhooks): it follows no
/// redirect, and unless <c>anyAddress</c> it connects only to public addresses (<see cref="PublicAddress"/>). The check is
/// made on the addresses the name resolves to, at connect time, so a name that resolves to 127.0.0.1 (or changes to it after
/// validation) is refused as well.
/// </summary>
public static class WebhookHttpHandler
{
    /// <param name="anyAddress">Private addresses allowed too (an operator's choice).</param>
    /// <param name="allowSetting">The setting that allows them, named in the refusal (e.g. "Pools:WebhookPrivateNetworks").</param>
    public static SocketsHttpHandler Create(bool anyAddress, string allowSetting) => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context, anyAddress, allowSetting, cancellationToken),
    };

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool anyAddress, string allowSetting, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => anyAddress || PublicAddress.IsPublic(a)).ToList();
        if (allowed.Count == 0)
        {
            throw new HttpRequestException(
                $"The webhook's host {host} is not on a public address; a webhook may reach only the internet (an operator can allow private networks with {allowSetting}=true).");
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
