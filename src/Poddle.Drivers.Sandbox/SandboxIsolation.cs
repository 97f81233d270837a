namespace Poddle.Drivers.Sandbox;

public enum IsolationLevel
{
    /// <summary>Namespaces, an unprivileged uid, cgroups (memory, CPU, pids) and rlimits.</summary>
    Full,

    /// <summary>Namespaces and rlimits only: no cgroups (not root, or no writable cgroup hierarchy).</summary>
    Reduced,

    /// <summary>Nothing can run: bubblewrap (or the wrapper's tools) is missing.</summary>
    Unavailable,
}

/// <summary>What the sandbox can enforce on this host, and why not more.</summary>
public sealed record SandboxIsolation(IsolationLevel Level, string? CgroupVersion, string? Reason)
{
    public override string ToString() =>
        Level == IsolationLevel.Full ? $"full isolation (cgroup {CgroupVersion})" : $"{Level.ToString().ToLowerInvariant()} isolation: {Reason}";
}
