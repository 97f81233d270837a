using System.Globalization;

namespace Poddle.Core.Deployments;

/// <summary>
/// Where a deployment is reached: the host <c>{deployment}-{project}.{baseDomain}</c> (the proxy routes it), and the URL
/// people open. One place, so the API, the proxy and the CLI agree.
/// </summary>
public static class DeploymentUrls
{
    /// <summary>The longest DNS label: the host's first label, <c>{deployment}-{project}</c>, must fit.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>The first label of the host name, <c>{deployment}-{project}</c>, lower-case.</summary>
    public static string Label(string deploymentName, string projectName) =>
        $"{deploymentName}-{projectName}".ToLowerInvariant();

    /// <summary><c>{deployment}-{project}.{baseDomain}</c>, lower-case, without a trailing dot.</summary>
    public static string HostName(string deploymentName, string projectName, string baseDomain) =>
        $"{Label(deploymentName, projectName)}.{baseDomain.TrimEnd('.').ToLowerInvariant()}";

    /// <summary>
    /// The URL of a host name as served by this server: its scheme, and its port unless it is the scheme's default
    /// (80 for http, 443 for https) or unknown.
    /// </summary>
    public static string Url(string hostName, string scheme = "http", int? port = null)
    {
        var defaultPort = string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase) ? 443 : 80;
        return port is { } p && p != defaultPort
            ? $"{scheme}://{hostName}:{p.ToString(CultureInfo.InvariantCulture)}"
            : $"{scheme}://{hostName}";
    }
}
