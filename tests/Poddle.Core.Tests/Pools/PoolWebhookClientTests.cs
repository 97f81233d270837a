using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Poddle.Core.Pools;

namespace Poddle.Core.Tests.Pools;

/// <summary>The webhook client against a real listener on 127.0.0.1: refused by default, reached when private networks are allowed.</summary>
public sealed class PoolWebhookClientTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Post_ToALoopbackReceiver_IsRefusedBeforeAnyConnection(string host)
    {
        using var receiver = new TcpListener(IPAddress.Loopback, 0);
        receiver.Start();
        using var client = new PoolWebhookClient(Options.Create(new PoolOptions()));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.Http.PostAsync(Url(host, receiver), new StringContent("{}")));

        Assert.Contains("not on a public address", error.Message, StringComparison.Ordinal);
        Assert.False(receiver.Pending(), "the receiver was connected to");
    }

    [Fact]
    public async Task Post_ToALoopbackReceiver_WithPrivateNetworksAllowed_IsDelivered()
    {
        using var receiver = new TcpListener(IPAddress.Loopback, 0);
        receiver.Start();
        using var client = new PoolWebhookClient(Options.Create(new PoolOptions { WebhookPrivateNetworks = true }));

        var answer = Task.Run(async () =>
        {
            using var connection = await receiver.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer);
            await stream.WriteAsync("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            return Encoding.ASCII.GetString(buffer, 0, read);
        });
        using var response = await client.Http.PostAsync(Url("127.0.0.1", receiver), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.StartsWith("POST /hook", await answer, StringComparison.Ordinal);
    }

    private static Uri Url(string host, TcpListener receiver) => new($"http://{host}:{((IPEndPoint)receiver.LocalEndpoint).Port}/hook");
}
