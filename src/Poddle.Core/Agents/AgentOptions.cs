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

    /// <summary>
    /// The URL the internet reaches this server's main listener at ("https://poddle.example.com"), for the pods of remote
    /// drivers (<c>DriverCapabilities.LocalEndpoint</c> false: RunPod), which run on someone else's machines and cannot
    /// reach the agent listener (loopback and local bridges only). Their heartbeats and pool workers' requests go there,
    /// each authenticated by the pod's own token or worker key (docs/security.md). Empty: <see cref="ServerUrl"/>, else
    /// the server's own first HTTP listen address (right only when the provider runs on this machine, as its test fake).
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Per driver ("docker" → "http://172.17.0.1:8080"), overriding <see cref="ServerUrl"/> (and <see cref="PublicUrl"/>) for that driver's pods.</summary>
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
