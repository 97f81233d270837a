namespace Poddle.Drivers.Sandbox;

/// <summary>Host-side settings of the sandbox (configuration section "Sandbox").</summary>
public sealed class SandboxOptions
{
    /// <summary>The configuration section the options are bound from (shared by code execution and the pod driver).</summary>
    public const string SectionName = "Sandbox";

    public string BwrapPath { get; set; } = "/usr/bin/bwrap";

    /// <summary>Directory under which each run gets a fresh directory; the system temp directory when null.</summary>
    public string? WorkRoot { get; set; }

    /// <summary>
    /// Cgroup under which per-run cgroups are created, relative to each hierarchy's root. On cgroup v2 under systemd,
    /// point it at a delegated subtree (Delegate=yes), e.g. "/system.slice/poddle.service/sandbox".
    /// </summary>
    public string CgroupParent { get; set; } = "/poddle-sandbox";

    /// <summary>
    /// The sandbox's own directory on the host (see docs/sandbox.md, "Mounts"): the seccomp filter and the mount tables
    /// (files named by their content) and <c>mnt</c>, an empty mount point over which each sandbox mounts its staging
    /// tmpfs in a private mount namespace. Must be a root-owned directory nobody else can write to. Null: /run/poddle-sandbox
    /// when the server is root, otherwise a fresh private directory under the system temp directory.
    /// </summary>
    public string? RuntimeDirectory { get; set; }

    /// <summary>When false, runs use rlimits only (reduced isolation), even where cgroups are writable.</summary>
    public bool UseCgroups { get; set; } = true;

    /// <summary>Host uid/gid the sandbox runs as when the server is root (nobody by default).</summary>
    public int SandboxUid { get; set; } = 65534;

    public int SandboxGid { get; set; } = 65534;

    /// <summary>How often the host samples the cgroup's CPU time to enforce the CPU limit.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The read-only root: host paths bound at the same place when they exist. Not all of /etc: only what the dynamic
    /// linker and the alternatives system need. A symlink on the host (merged /usr: /bin -> usr/bin) is recreated as a
    /// symlink.
    /// </summary>
    public IList<string> SystemPaths { get; } =
    [
        "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
        "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
    ];
}
