namespace Poddle.Drivers.Sandbox.Pods;

/// <summary>How sandbox pods are networked (Sandbox:Pods:Network).</summary>
public enum SandboxPodNetworkMode
{
    /// <summary>
    /// Each pod in a network namespace of its own, connected to the outside by pasta (user-mode networking): egress
    /// to the internet, its port reachable on the host's 127.0.0.1 only, no way to the host's own services or other
    /// pods but the agent listener. Needs root, pasta (Debian's passt), iproute2, nsenter and nftables.
    /// </summary>
    Isolated,

    /// <summary>The host's network namespace, shared by every pod and the host (no network isolation at all).</summary>
    Host,
}
