using Microsoft.Extensions.Options;

namespace Poddle.Core.Agents;

/// <summary>
/// What a pod gets as PODDLE_SERVER: <see cref="AgentOptions.DriverServerUrls"/> for its driver, else
/// <see cref="AgentOptions.ServerUrl"/>, else the server's own first HTTP listen address (the host tells it once it
/// listens, <see cref="SetListenAddresses"/>) with a wildcard host made loopback. Null when none is known (no agent env then).
/// </summary>
public sealed class AgentServerAddress(IOptions<AgentOptions> options)
{
    private volatile string? _listen;

    /// <summary>Called by the host once it listens (port 0 resolved); the first http:// address wins over https://.</summary>
    public void SetListenAddresses(IEnumerable<string> addresses)
    {
        var all = addresses.ToList();
        var chosen = all.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? all.FirstOrDefault();
        _listen = chosen is null ? null : Reachable(chosen);
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
