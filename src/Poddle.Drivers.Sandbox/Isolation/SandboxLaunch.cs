using Poddle.Drivers.Sandbox.Cgroups;

namespace Poddle.Drivers.Sandbox.Isolation;

/// <summary>
/// What differs between one sandbox and another: everything <see cref="SandboxCommandBuilder"/> needs besides the
/// host's settings. A code run and a pod are two sets of these values; the rules (namespaces, uid drop, seccomp,
/// read-only root, staged mounts, rlimits, cgroup) are the builder's and the same for both.
/// </summary>
internal sealed record SandboxLaunch
{
    /// <summary>The wrapper's <c>$0</c>: its own error messages start with "NAME: " ("poddle-sandbox", "poddle-pod").</summary>
    public required string Name { get; init; }

    /// <summary>argv inside the sandbox.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The sandbox's working directory: a directory under <see cref="SandboxWorkDirectory.HostRoot"/>.</summary>
    public required SandboxWorkDirectory WorkDirectory { get; init; }

    public required SandboxNetwork Network { get; init; }

    public required string Hostname { get; init; }

    /// <summary>Size of each of /tmp and /dev/shm (fresh tmpfs; pages count against the memory limit).</summary>
    public required int TmpfsMb { get; init; }

    /// <summary>Whether programs may be executed from /tmp and /dev/shm (pods: yes; code runs: no, they are noexec).</summary>
    public bool TmpExecutable { get; init; }

    /// <summary>Read-only host directories (toolchains outside /usr), staged so they are reachable whatever the modes above them.</summary>
    public IReadOnlyList<SandboxBindMount> ReadOnlyBinds { get; init; } = [];

    /// <summary>Host files bound read-only as they are (world-readable ones only, e.g. /etc/resolv.conf for pods).</summary>
    public IReadOnlyList<SandboxBindMount> HostFiles { get; init; } = [];

    /// <summary>The cgroup the chain joins before anything else runs, or null (reduced isolation).</summary>
    public CgroupRun? Cgroup { get; init; }

    /// <summary>RLIMIT_FSIZE.</summary>
    public required long FileSizeBytes { get; init; }

    /// <summary>RLIMIT_NOFILE.</summary>
    public required int OpenFiles { get; init; }

    /// <summary>RLIMIT_CPU in seconds (reduced isolation only: without a cgroup it stands in for the CPU limit), or null.</summary>
    public int? CpuSeconds { get; init; }

    /// <summary>RLIMIT_AS (reduced isolation only: without a cgroup it stands in for the memory limit), or null.</summary>
    public long? AddressSpaceBytes { get; init; }

    /// <summary>The environment, on bwrap's command line (nothing secret: command lines are world-readable in /proc).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>A descriptor bwrap reads further arguments from (<c>--args FD</c>): how secrets reach a pod's environment.</summary>
    public int? ArgumentsFd { get; init; }
}
