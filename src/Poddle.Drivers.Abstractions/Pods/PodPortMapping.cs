namespace Poddle.Drivers.Abstractions.Pods;

/// <summary>A port the pod exposes beyond <see cref="PodSpec.Port"/> (<see cref="PodSpec.Ports"/>), as RunPod's "8888/http,22/tcp".</summary>
/// <param name="Port">The port inside the pod, 1-65535.</param>
/// <param name="Protocol"><see cref="Http"/> (through the provider's HTTPS proxy) or <see cref="Tcp"/> (a public address and port).</param>
public sealed record PodPortMapping(int Port, string Protocol)
{
    /// <summary>Served through the provider's HTTP proxy.</summary>
    public const string Http = "http";

    /// <summary>Mapped to a public TCP port.</summary>
    public const string Tcp = "tcp";

    /// <inheritdoc />
    public override string ToString() => $"{Port}/{Protocol}";
}
