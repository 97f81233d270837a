using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Poddle.Core.Deployments;

namespace Poddle.Core.Tests.Deployments;

/// <summary>
/// The real resolver (DnsClient.NET over UDP) against a minimal authoritative responder on loopback, since no DNS
/// server runs here: it answers TXT queries from a table (RFC 1035 wire format) and NXDOMAIN otherwise.
/// </summary>
public sealed class DnsClientTxtResolverTests
{
    [Fact]
    public async Task ResolveTxt_ReadsEveryRecordJoiningItsStrings_AndNothingForUnknownNames()
    {
        using var server = new TinyTxtServer(new Dictionary<string, string[][]>(StringComparer.OrdinalIgnoreCase)
        {
            ["_poddle-challenge.www.example.com"] = [["poddle-verify=0123"], ["v=spf1 ", "-all"]],
        });
        var resolver = new DnsClientTxtResolver([server.EndPoint]);

        var found = await resolver.ResolveTxtAsync("_poddle-challenge.www.example.com", CancellationToken.None);
        var missing = await resolver.ResolveTxtAsync("_poddle-challenge.nothing.example.com", CancellationToken.None);

        Assert.Equal(["poddle-verify=0123", "v=spf1 -all"], found.Order(StringComparer.Ordinal));
        Assert.Empty(missing);
        Assert.Equal(2, server.Queries);
    }

    private sealed class TinyTxtServer : IDisposable
    {
        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly Dictionary<string, string[][]> _records;
        private readonly CancellationTokenSource _stop = new();
        private int _queries;

        public TinyTxtServer(Dictionary<string, string[][]> records)
        {
            _records = records;
            _ = Task.Run(ServeAsync);
        }

        public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

        public int Queries => Volatile.Read(ref _queries);

        public void Dispose()
        {
            _stop.Cancel();
            _udp.Dispose();
            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                UdpReceiveResult received;
                try
                {
                    received = await _udp.ReceiveAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                Interlocked.Increment(ref _queries);
                var response = Answer(received.Buffer);
                await _udp.SendAsync(response, received.RemoteEndPoint);
            }
        }

        private byte[] Answer(byte[] query)
        {
            // Question: labels from offset 12, then QTYPE and QCLASS.
            var offset = 12;
            var labels = new List<string>();
            while (query[offset] != 0)
            {
                labels.Add(Encoding.ASCII.GetString(query, offset + 1, query[offset]));
                offset += query[offset] + 1;
            }

            var questionEnd = offset + 1 + 4;
            var name = string.Join('.', labels);
            var records = _records.GetValueOrDefault(name) ?? [];
            var output = new List<byte>();
            output.AddRange(query.AsSpan(0, 2).ToArray());                  // id
            output.AddRange(records.Length > 0 ? [0x84, 0x00] : [0x84, 0x03]); // QR, AA; NOERROR or NXDOMAIN
            output.AddRange([0, 1]);                                        // QDCOUNT
            output.AddRange(U16(records.Length));                           // ANCOUNT
            output.AddRange([0, 0, 0, 0]);                                  // NSCOUNT, ARCOUNT
            output.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
            foreach (var record in records)
            {
                var data = record.SelectMany(s => new[] { (byte)s.Length }.Concat(Encoding.ASCII.GetBytes(s))).ToArray();
                output.AddRange([0xC0, 0x0C, 0, 16, 0, 1, 0, 0, 0, 60]);   // name → question, TXT, IN, TTL 60
                output.AddRange(U16(data.Length));
                output.AddRange(data);
            }

            return [.. output];
        }

        private static byte[] U16(int value)
        {
            var bytes = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
            return bytes;
        }
    }
}
