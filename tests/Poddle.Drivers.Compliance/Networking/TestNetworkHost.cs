using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Poddle.Drivers.Abstractions.Host;

namespace Poddle.Drivers.Compliance.Networking;

/// <summary>
/// A second host on this machine for egress tests: a network namespace of its own, joined to the host by a veth pair
/// (host side 10.199.X.Y/30, the test host the next address), serving HTTP on port 80 with a token the test checks for.
/// From a pod, reaching it is real egress: through pasta's host sockets (sandbox pods) or the host's routing and NAT
/// (Docker containers), like any address outside the machine. Needs root and iproute2.
/// </summary>
public sealed class TestNetworkHost : IAsyncDisposable
{
    private readonly string _namespace;
    private readonly string _hostInterface;
    private readonly Process _server;
    private readonly string _root;

    private TestNetworkHost(string @namespace, string hostInterface, string address, string hostAddress, string token, Process server, string root)
    {
        _namespace = @namespace;
        _hostInterface = hostInterface;
        Address = address;
        HostSideAddress = hostAddress;
        Token = token;
        _server = server;
        _root = root;
    }

    /// <summary>The test host's address.</summary>
    public string Address { get; }

    /// <summary>The host's end of the link (a local address of the machine, like any other of its addresses).</summary>
    public string HostSideAddress { get; }

    /// <summary>What <c>GET http://{Address}/token.txt</c> answers.</summary>
    public string Token { get; }

    /// <summary>The URL that answers <see cref="Token"/>.</summary>
    public string TokenUrl => $"http://{Address}/token.txt";

    /// <summary>Creates the namespace, the link and the HTTP server, and waits until the server answers from the host.</summary>
    public static async Task<TestNetworkHost> StartAsync(CancellationToken cancellationToken = default)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        var @namespace = "poddle-test-" + id;
        var hostInterface = "pt" + id + "h";
        var peerInterface = "pt" + id + "p";
        // A random /30 in 10.199.0.0/16: .1 the host's end, .2 the test host.
        var block = System.Security.Cryptography.RandomNumberGenerator.GetInt32(0, 16384) * 4;
        string Address(int offset) => string.Create(CultureInfo.InvariantCulture, $"10.199.{(block + offset) / 256}.{(block + offset) % 256}");
        var hostAddress = Address(1);
        var address = Address(2);
        var token = "egress-ok-" + id;
        var root = Path.Join(Path.GetTempPath(), "poddle-test-host-" + id);
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Join(root, "token.txt"), token, cancellationToken);

        await IpAsync(cancellationToken, "netns", "add", @namespace);
        try
        {
            await IpAsync(cancellationToken, "link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface, "netns", @namespace);
            await IpAsync(cancellationToken, "addr", "add", hostAddress + "/30", "dev", hostInterface);
            await IpAsync(cancellationToken, "link", "set", hostInterface, "up");
            await IpAsync(cancellationToken, "-n", @namespace, "addr", "add", address + "/30", "dev", peerInterface);
            await IpAsync(cancellationToken, "-n", @namespace, "link", "set", peerInterface, "up");
            await IpAsync(cancellationToken, "-n", @namespace, "link", "set", "lo", "up");
            // Answers go back through the host (to Docker's NAT address or pasta's host socket).
            await IpAsync(cancellationToken, "-n", @namespace, "route", "add", "default", "via", hostAddress);
        }
        catch
        {
            await IpAsync(CancellationToken.None, "netns", "delete", @namespace);
            throw;
        }

        var start = new ProcessStartInfo("/usr/bin/nsenter")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (var argument in new[] { "--net=/run/netns/" + @namespace, "/usr/bin/python3", "-m", "http.server", "80", "--bind", address, "--directory", root })
        {
            start.ArgumentList.Add(argument);
        }

        var server = Process.Start(start) ?? throw new InvalidOperationException("the test host's HTTP server did not start");
        var host = new TestNetworkHost(@namespace, hostInterface, address, hostAddress, token, server, root);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(address, 80, cancellationToken);
                return host;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _server.Dispose();
        // Deleting the namespace deletes the peer, and with it the host's end of the pair.
        await IpAsync(CancellationToken.None, "netns", "delete", _namespace);
        await HostTool.RunAsync("/usr/sbin/ip", ["link", "delete", _hostInterface]);
        Directory.Delete(_root, recursive: true);
    }

    private static async Task IpAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var result = await HostTool.RunAsync("/usr/sbin/ip", arguments, cancellationToken: cancellationToken);
        if (!result.Succeeded && arguments is not ["netns", "delete", ..])
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {result.Describe()}");
        }
    }
}
