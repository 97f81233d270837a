using System.Net;
using System.Net.Sockets;
using Poddle.Agent.Diagnostics;

namespace Poddle.Agent.Tests.Diagnostics;

public sealed class ListeningPortsTests
{
    [Fact]
    public void Parse_ProcNetTcpAndTcp6_ListenRowsOnly()
    {
        const string tcp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0
               1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 100 0 0 10 0
               2: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1
            """;
        const string tcp6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 0
               1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
               2: 0000000000000000FFFF00000100007F:0051 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0
            """;

        var v4 = ListeningPorts.Parse(tcp, "tcp").ToList();
        var v6 = ListeningPorts.Parse(tcp6, "tcp6").ToList();

        Assert.Equal([("127.0.0.1", 8080, 123456L), ("0.0.0.0", 22, 2222L)], v4.Select(s => (s.Address, s.Port, s.Inode)));
        Assert.Equal([("::", 5432), ("::1", 80), ("127.0.0.1", 81)], v6.Select(s => (s.Address, s.Port)));
    }

    [Fact]
    public void Read_RealProc_AListenerThisTestOpensShowsWithThisProcess()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var socket = Assert.Single(ListeningPorts.Read("/proc"), s => s.Port == port);

        Assert.Equal(("tcp", "127.0.0.1", Environment.ProcessId), (socket.Protocol, socket.Address, socket.Pid));
        Assert.False(string.IsNullOrEmpty(socket.Process));
    }
}
