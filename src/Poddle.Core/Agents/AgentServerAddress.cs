using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Agents;

/// <summary>
/// What a pod gets as PODDLE_SERVER: <see cref="AgentOptions.DriverServerUrls"/> for its driver, else
/// <see cref="AgentOptions.ServerUrl"/>, else the agent listener (<see cref="UseAgentListener"/>) at the host's address
/// as the driver's pods see it (<see cref="IPodHostAddressSource"/>: Docker's bridge; 127.0.0.1 for a driver that does
/// not say, as sandbox pods reach the host's loopback port through their namespace). Without an agent listener (a host
/// that sets none, tests): the driver's host address with the server's listen port, else the server's own first HTTP
/// listen address (the host tells it once it listens, <see cref="SetListenAddresses"/>) with a wildcard host made
/// loopback. Null when none is known (no agent env then). Pods of a remote driver (<see cref="DriverCapabilities.LocalEndpoint"/>
/// false: RunPod) run on another machine, where neither the agent listener nor a host address of this machine is
/// reachable: they get <see cref="AgentOptions.DriverServerUrls"/> for their driver, else <see cref="AgentOptions.PublicUrl"/>,
/// else <see cref="AgentOptions.ServerUrl"/>, else the server's own listen address (<see cref="ForRemote"/>).
/// </summary>
public sealed class AgentServerAddress(IOptions<AgentOptions> options)
{
    private volatile string? _listen;
    private volatile Uri? _listenUri;
    private volatile int _agentPort;

    /// <summary>Called by the host: pods send heartbeats to its agent listener on <paramref name="port"/>.</summary>
    public void UseAgentListener(int port) => _agentPort = port;

    /// <summary>Called by the host once it listens (port 0 resolved); the first http:// address wins over https://.</summary>
    public void SetListenAddresses(IEnumerable<string> addresses)
    {
        var all = addresses.ToList();
        var chosen = all.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? all.FirstOrDefault();
        _listen = chosen is null ? null : Reachable(chosen);
        _listenUri = chosen is not null && Uri.TryCreate(chosen.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>
    /// The URL for pods of <paramref name="driver"/>, without a trailing slash; null when unknown. Asks the driver for
    /// the host's address only when nothing is configured, and uses it only when the server listens on every interface
    /// (or on that address): otherwise pods could not connect to it there.
    /// </summary>
    public async Task<string?> ForAsync(IPodDriver driver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driver);
        if (!driver.Capabilities.LocalEndpoint)
        {
            return ForRemote(driver.Name);
        }

        var value = options.Value;
        if ((value.DriverServerUrls.TryGetValue(driver.Name, out var perDriver) && !string.IsNullOrEmpty(perDriver)) || !string.IsNullOrEmpty(value.ServerUrl))
        {
            return For(driver.Name);
        }

        if (_agentPort > 0)
        {
            var agentHost = driver is IPodHostAddressSource hostSource ? await hostSource.GetHostAddressAsync(cancellationToken) : IPAddress.Loopback.ToString();
            if (agentHost is { Length: > 0 })
            {
                return $"http://{(agentHost.Contains(':', StringComparison.Ordinal) ? $"[{agentHost}]" : agentHost)}:{_agentPort.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        if (driver is IPodHostAddressSource source && _listenUri is { } listen
            && await source.GetHostAddressAsync(cancellationToken) is { Length: > 0 } host
            && (listen.Host is "0.0.0.0" or "[::]" || string.Equals(listen.Host, host, StringComparison.OrdinalIgnoreCase)))
        {
            var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
            return $"{listen.Scheme}://{hostPart}:{listen.Port}";
        }

        return For(driver.Name);
    }

    /// <summary>The URL for pods of <paramref name="driver"/>, without a trailing slash; null when unknown.</summary>
    public string? For(string driver)
    {
        var value = options.Value;
        var url = value.DriverServerUrls.TryGetValue(driver, out var perDriver) && !string.IsNullOrEmpty(perDriver)
            ? perDriver
            : !string.IsNullOrEmpty(value.ServerUrl) ? value.ServerUrl : _listen;
        return url?.TrimEnd('/');
    }

    /// <summary>
    /// The URL for pods of the remote driver <paramref name="driver"/>: its own configured URL, else the public one, else
    /// the generic one, else the main listener's address; never the agent listener, which listens on this machine's
    /// loopback and bridges only. Null when none is known.
    /// </summary>
    public string? ForRemote(string driver)
    {
        var value = options.Value;
        var url = value.DriverServerUrls.TryGetValue(driver, out var perDriver) && !string.IsNullOrEmpty(perDriver) ? perDriver
            : !string.IsNullOrEmpty(value.PublicUrl) ? value.PublicUrl
            : !string.IsNullOrEmpty(value.ServerUrl) ? value.ServerUrl
            : _listen;
        return url?.TrimEnd('/');
    }

    /// <summary>"http://0.0.0.0:8080" → "http://127.0.0.1:8080": a pod cannot connect to a wildcard address.</summary>
    internal static string Reachable(string address)
    {
        var schemeEnd = address.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return address;
        }

        var rest = address[(schemeEnd + 3)..];
        var portAt = rest.LastIndexOf(':');
        var host = portAt > 0 && !rest.EndsWith(']') ? rest[..portAt] : rest;
        return host is "0.0.0.0" or "[::]" or "+" or "*"
            ? string.Concat(address.AsSpan(0, schemeEnd + 3), "127.0.0.1", rest.AsSpan(host.Length))
            : address;
    }
}
