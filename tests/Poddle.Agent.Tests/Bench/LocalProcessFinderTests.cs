using System.Net;
using System.Net.Sockets;
using Poddle.Agent.Bench;

namespace Poddle.Agent.Tests.Bench;

public sealed class LocalProcessFinderTests
{
    [Fact]
    public void FindListeners_OwnListeningSocket_FindsThisProcess()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.Equal([Environment.ProcessId], LocalProcessFinder.FindListeners(port));
        listener.Stop();
        Assert.Empty(LocalProcessFinder.FindListeners(port));
    }

    [Fact]
    public void ListeningInodes_ReadsOnlyListenStateOnThePort()
    {
        var table = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(table,
            [
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0",
                "   1: 0100007F:1F90 0100007F:D3A2 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1",
                "   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0",
            ]);
            Assert.Equal(["111"], LocalProcessFinder.ListeningInodes(table, 8080));
            Assert.Equal(["333"], LocalProcessFinder.ListeningInodes(table, 80));
            Assert.Empty(LocalProcessFinder.ListeningInodes(table, 443));
        }
        finally
        {
            File.Delete(table);
        }
    }

    [Fact]
    public async Task IsLocal_LoopbackAndLocalhost_AreLocal()
    {
        Assert.True(await LocalProcessFinder.IsLocalAsync("localhost", CancellationToken.None));
        Assert.True(await LocalProcessFinder.IsLocalAsync("127.0.0.1", CancellationToken.None));
        Assert.True(await LocalProcessFinder.IsLocalAsync("[::1]", CancellationToken.None));
        Assert.False(await LocalProcessFinder.IsLocalAsync("192.0.2.1", CancellationToken.None));
    }
}
