using Microsoft.Extensions.Options;

namespace Poddle.Core.Agents;

/// <summary>Pod agent settings (section "Agents"), validated at start.</summary>
public sealed class AgentOptions
{
    public const string SectionName = "Agents";

    /// <summary>
    /// The URL pods reach this server at, passed to every pod as PODDLE_SERVER. Empty: the server's own first HTTP
    /// listen address, with a wildcard host (0.0.0.0, [::], +, *) replaced by 127.0.0.1 — right for sandbox pods, which
    /// share the host's network; Docker pods need the bridge address (see <see cref="DriverServerUrls"/>).
    /// </summary>
    public string? ServerUrl { get; set; }

    /// <summary>Per driver ("docker" → "http://172.17.0.1:8080"), overriding <see cref="ServerUrl"/> for that driver's pods.</summary>
    public Dictionary<string, string> DriverServerUrls { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The port of the agent listener: where pods send heartbeats unless <see cref="ServerUrl"/> or
    /// <see cref="DriverServerUrls"/> say otherwise. It serves the heartbeat and nothing else, on 127.0.0.1 (sandbox pods
    /// reach it through their namespace) and on the address Docker pods reach the host at; the pod firewalls open this
    /// port and no other. 0 (the default): a free port picked at the first start and kept in {DataDir}/agent-port, so
    /// pods that outlive a restart still reach it.
    /// </summary>
    public int ListenPort { get; set; }

    /// <summary>How often agents are asked to send a heartbeat (told in every heartbeat's answer).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A pod whose agent reported once and then was silent this many intervals is "lost".</summary>
    public int LostAfterIntervals { get; set; } = 3;

    /// <summary>Silence after which a pod is lost: <see cref="HeartbeatInterval"/> × <see cref="LostAfterIntervals"/>.</summary>
    public TimeSpan LostAfter => HeartbeatInterval * LostAfterIntervals;
}

internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.ServerUrl) && !IsHttpUrl(options.ServerUrl))
        {
            failures.Add("Agents:ServerUrl must be an absolute http:// or https:// URL that pods can reach (e.g. 'http://10.0.0.5:8080').");
        }

        foreach (var (driver, url) in options.DriverServerUrls)
        {
            if (!IsHttpUrl(url))
            {
                failures.Add($"Agents:DriverServerUrls:{driver} must be an absolute http:// or https:// URL (e.g. 'http://172.17.0.1:8080').");
            }
        }

        if (options.ListenPort is < 0 or > 65535)
        {
            failures.Add("Agents:ListenPort must be a TCP port (1-65535), or 0 to pick a free one at the first start.");
        }

        if (options.HeartbeatInterval < TimeSpan.FromSeconds(1) || options.HeartbeatInterval > TimeSpan.FromHours(1))
        {
            failures.Add("Agents:HeartbeatInterval must be between 00:00:01 and 01:00:00.");
        }

        if (options.LostAfterIntervals is < 2 or > 100)
        {
            failures.Add("Agents:LostAfterIntervals must be between 2 and 100.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;
}
