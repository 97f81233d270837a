using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Host;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Server.Errors;

namespace Poddle.Server.Hosting;

/// <summary>
/// The agent listener (Agents:ListenPort): the one port of this server that pods may open. It listens on 127.0.0.1 and
/// on the address each driver's pods reach the host at (Docker's bridge), and it serves POST /api/agents/heartbeat and
/// the pool workers' protocol (<c>/v2/{poolId}/job-take|job-take-batch|job-done|job-stream|ping|job-stop/...</c>, each
/// authenticated by the worker's own key) and nothing else, so a pod that reaches it reaches no other part of the
/// server: not the API, not the serverless client API (/run, /status, ...), not /metrics. See docs/security.md.
/// </summary>
public sealed partial class AgentListener
{
    /// <summary>The file in the data directory that keeps a picked port across restarts.</summary>
    public const string PortFileName = "agent-port";

    /// <summary>The agent's path served on the agent listener.</summary>
    public const string HeartbeatPath = "/api/agents/heartbeat";

    /// <summary>Whether <paramref name="path"/> is one of the worker protocol's (served on the agent listener too, for worker pods).</summary>
    public static bool IsWorkerProtocolPath(PathString path) => path.HasValue && WorkerProtocolPath().IsMatch(path.Value!);

    private AgentListener(int port) => Port = port;

    /// <summary>The agent listener's port.</summary>
    public int Port { get; }

    /// <summary>
    /// The configured port, else the one kept in {dataDir}/agent-port, else a free one now (kept there for the next
    /// start). Throws <see cref="StartupConfigurationException"/> naming the key when the port cannot be used.
    /// </summary>
    public static AgentListener Resolve(int configuredPort, string dataDir, IEnumerable<string> serverUrls)
    {
        if (configuredPort is < 0 or > 65535)
        {
            throw new StartupConfigurationException("Agents:ListenPort must be a TCP port (1-65535), or 0 to pick a free one at the first start.");
        }

        var file = Path.Join(dataDir, PortFileName);
        var port = configuredPort;
        if (port == 0 && File.Exists(file)
            && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kept) && kept is > 0 and <= 65535)
        {
            port = kept;
        }

        if (port == 0)
        {
            port = FreeTcpPort.Pick();
            File.WriteAllText(file, port.ToString(CultureInfo.InvariantCulture));
        }

        if (serverUrls.Any(url => PortOf(url) == port))
        {
            throw new StartupConfigurationException(
                $"Agents:ListenPort {port} is also a port the server listens on (Urls): the agent listener needs a port of its own.");
        }

        return new AgentListener(port);
    }

    /// <summary>The agent listener's URL on <paramref name="address"/>.</summary>
    public string UrlOn(string address) =>
        string.Create(CultureInfo.InvariantCulture, $"http://{(address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address)}:{Port}");

    /// <summary>Whether <paramref name="address"/> (a listen URL) is one of the agent listener's.</summary>
    public bool Serves(string address) => PortOf(address) == Port;

    /// <summary>Whether <paramref name="context"/> came in on the agent listener.</summary>
    public bool Received(HttpContext context) => context.Connection.LocalPort == Port;

    [GeneratedRegex("^/v2/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/(job-take|job-take-batch|job-done|job-stream|ping|job-stop)/[^/]+(/[^/]+)?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex WorkerProtocolPath();

    private static int? PortOf(string url)
    {
        try
        {
            return BindingAddress.Parse(url).Port;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// First in the pipeline: on the agent listener only the heartbeat and the worker protocol are served; every other
    /// request is a 404 there, whatever its host or path (the API, the serverless client API, the proxy's apps, /metrics).
    /// </summary>
    internal sealed class OnlyHeartbeats(RequestDelegate next, AgentListener listener)
    {
        public Task InvokeAsync(HttpContext context)
        {
            if (!listener.Received(context)
                || (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(HeartbeatPath, StringComparison.Ordinal))
                || IsWorkerProtocolPath(context.Request.Path))
            {
                return next(context);
            }

            return Problems.WriteAsync(
                context, Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "Not Found", "The agent listener serves POST " + HeartbeatPath + " and pool workers' protocol only."));
        }
    }

    /// <summary>
    /// Adds the agent listener's addresses to the server's before it binds (a lifecycle service's StartingAsync runs before
    /// the web server starts): 127.0.0.1, and each driver's host address that is known now. The server's own URLs are
    /// added too, because the server only reads its configured URLs when no address was added before it.
    /// </summary>
    internal sealed partial class Binder(
        IServer server, AgentListener listener, IEnumerable<IPodDriver> drivers, ServerListenUrls urls, ILogger<AgentListener> logger) : IHostedLifecycleService
    {
        private static readonly TimeSpan DriverTimeout = TimeSpan.FromSeconds(5);

        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            if (server.Features.Get<IServerAddressesFeature>() is not { Addresses: { IsReadOnly: false } addresses })
            {
                return;
            }

            if (addresses.Count == 0)
            {
                foreach (var url in urls.Urls)
                {
                    addresses.Add(url);
                }
            }

            var hosts = new List<string> { IPAddress.Loopback.ToString() };
            foreach (var source in drivers.OfType<IPodHostAddressSource>())
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(DriverTimeout);
                try
                {
                    if (await source.GetHostAddressAsync(timeout.Token) is { Length: > 0 } host && IPAddress.TryParse(host, out _) && !hosts.Contains(host))
                    {
                        hosts.Add(host);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    LogHostAddressTimedOut(logger, ((IPodDriver)source).Name);
                }
            }

            foreach (var host in hosts)
            {
                addresses.Add(listener.UrlOn(host));
            }

            LogListening(logger, listener.Port, hosts);
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Agent listener on port {Port} at {Hosts}: heartbeats and pool workers only")]
        private static partial void LogListening(ILogger logger, int port, IReadOnlyList<string> hosts);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Agent listener: the {Driver} driver did not tell its host address in time; its pods' heartbeats will not reach this server until it restarts")]
        private static partial void LogHostAddressTimedOut(ILogger logger, string driver);
    }
}

/// <summary>The addresses the server itself listens on (Urls and the proxy's TLS URLs), as given to Kestrel.</summary>
public sealed record ServerListenUrls(IReadOnlyList<string> Urls);
