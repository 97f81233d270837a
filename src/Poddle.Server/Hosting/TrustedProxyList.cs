using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Poddle.Server.Hosting;

/// <summary>Parses the TrustedProxies setting into forwarded-headers options.</summary>
internal static class TrustedProxyList
{
    /// <summary>Returns an error message, or null with <paramref name="networks"/> set.</summary>
    public static string? TryParse(string? value, out IReadOnlyList<System.Net.IPNetwork> networks)
    {
        var parsed = new List<System.Net.IPNetwork>();
        networks = parsed;
        foreach (var item in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (System.Net.IPNetwork.TryParse(item, out var network))
            {
                parsed.Add(network);
            }
            else if (IPAddress.TryParse(item, out var address))
            {
                parsed.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                return $"'{item}' is neither an IP address nor a CIDR range (e.g. 10.0.0.5 or 10.0.0.0/8).";
            }
        }

        return null;
    }

    /// <summary>Null when no proxy is trusted: the middleware must then not run at all, because with empty lists it trusts everyone.</summary>
    public static ForwardedHeadersOptions? ToOptions(string? value)
    {
        TryParse(value, out var networks);
        if (networks.Count == 0)
        {
            return null;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = 1,
        };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(network);
        }

        return options;
    }
}
