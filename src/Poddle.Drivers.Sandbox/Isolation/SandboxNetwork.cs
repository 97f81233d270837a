namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// How a sandbox reaches the network: the one parameter of <see cref="SandboxCommandBuilder"/> that decides it.
/// <list type="bullet">
/// <item><see cref="None"/> (code runs): a network namespace of its own with only its own loopback.</item>
/// <item><see cref="Host"/> (pods today): the host's network namespace (<c>bwrap --share-net</c>).</item>
/// <item><see cref="Namespace"/>: a network namespace prepared outside (a per-pod one), entered with
/// <c>nsenter --net=PATH</c> before anything else of the chain, then shared by bwrap.</item>
/// </list>
/// </summary>
internal sealed record SandboxNetwork
{
    private SandboxNetwork(string name, bool sharesNamespace, string? namespacePath)
    {
        Name = name;
        SharesNamespace = sharesNamespace;
        NamespacePath = namespacePath;
    }

    public static SandboxNetwork None { get; } = new("none", false, null);

    public static SandboxNetwork Host { get; } = new("host", true, null);

    /// <summary>"none", "host" or "namespace": for logs and docs.</summary>
    public string Name { get; }

    /// <summary>Whether bwrap keeps the network namespace it starts in (<c>--share-net</c>) rather than making an empty one.</summary>
    public bool SharesNamespace { get; }

    /// <summary>The namespace file (/run/netns/NAME, /proc/PID/ns/net) entered first, or null.</summary>
    public string? NamespacePath { get; }

    /// <summary>The network namespace at <paramref name="path"/>, entered with nsenter (as root) before the rest of the chain.</summary>
    public static SandboxNetwork Namespace(string path) =>
        Path.IsPathFullyQualified(path) ? new("namespace", true, path) : throw new ArgumentException("the namespace path must be absolute", nameof(path));
}
