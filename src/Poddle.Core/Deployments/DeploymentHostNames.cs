namespace Poddle.Core.Deployments;

/// <summary>
/// The host names apps are reached at: <c>{deployment}-{project}.{base domain}</c> (lower case), and the
/// normalisation every comparison of host names goes through (lower case, no port, no trailing dot).
/// </summary>
public static class DeploymentHostNames
{
    /// <summary>The longest DNS label: the host's first label, <c>{deployment}-{project}</c>, must fit.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>The first label of the host name, <c>{deployment}-{project}</c>, lower-case.</summary>
    public static string Label(string deploymentName, string projectName) =>
        $"{deploymentName}-{projectName}".ToLowerInvariant();

    /// <summary>The generated host name of a deployment, e.g. <c>web-demo.localhost</c>.</summary>
    public static string For(string deploymentName, string projectName, string baseDomain) =>
        $"{Label(deploymentName, projectName)}.{Normalize(baseDomain)}";

    /// <summary>The URL people open (http, or https when <paramref name="https"/>), with the port when not the scheme's default.</summary>
    public static Uri Url(string deploymentName, string projectName, string baseDomain, bool https = false, int? port = null)
    {
        var builder = new UriBuilder(https ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, For(deploymentName, projectName, baseDomain));
        if (port is { } p)
        {
            builder.Port = p;
        }

        return builder.Uri;
    }

    /// <summary>Lower case, without a port or a trailing dot: "Web-Demo.Localhost.:8080" → "web-demo.localhost".</summary>
    public static string Normalize(string host)
    {
        var value = host.Trim();
        if (value.StartsWith('['))
        {
            // An IPv6 literal ("[::1]:8080") is never an app host; keep it whole.
            var end = value.IndexOf(']', StringComparison.Ordinal);
            return (end < 0 ? value : value[..(end + 1)]).ToLowerInvariant();
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            value = value[..colon];
        }

        return value.TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>Whether <paramref name="host"/> (normalised) is a strict subdomain of <paramref name="baseDomain"/>.</summary>
    public static bool IsUnder(string host, string baseDomain)
    {
        var domain = Normalize(baseDomain);
        return host.Length > domain.Length + 1
            && host.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
            && host[host.Length - domain.Length - 1] == '.';
    }
}
