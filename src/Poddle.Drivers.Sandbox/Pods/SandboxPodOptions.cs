namespace Poddle.Drivers.Sandbox.Pods;

/// <summary>
/// Settings of the sandbox pod driver (configuration section "Sandbox:Pods"); the isolation itself (bwrap path, uid,
/// cgroup parent, read-only system paths) comes from <see cref="SandboxOptions"/>, shared with code execution.
/// </summary>
public sealed class SandboxPodOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Sandbox:Pods";

    /// <summary>
    /// Where each pod gets a directory (state file, logs, exit status, its writable /app): {dataDir}/pods. Everything
    /// needed to re-adopt a pod after a server restart is there. Must be an absolute path.
    /// </summary>
    public string StateDirectory { get; set; } = string.Empty;

    /// <summary>First host port handed out as a pod's $PORT (on 127.0.0.1).</summary>
    public int PortRangeStart { get; set; } = 20000;

    /// <summary>Last host port handed out (inclusive).</summary>
    public int PortRangeEnd { get; set; } = 29999;

    /// <summary>A pod's log file is rotated (to log.1, replacing the previous one) beyond this size: at most twice it is kept.</summary>
    public long LogMaxBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>Size of the pod's fresh tmpfs /tmp (its pages count against the memory limit).</summary>
    public int TmpfsMb { get; set; } = 256;

    /// <summary>Processes and threads at once (cgroup pids.max).</summary>
    public int Pids { get; set; } = 512;

    /// <summary>RLIMIT_NOFILE of the pod's processes: a server needs sockets.</summary>
    public int OpenFiles { get; set; } = 4096;

    /// <summary>RLIMIT_FSIZE: the largest file a pod's process may write (in /app or /tmp).</summary>
    public long FileSizeBytes { get; set; } = 1L << 30;

    /// <summary>Limits used when a spec gives zero or negative values.</summary>
    public int DefaultCpuMillicores { get; set; } = 500;

    /// <summary>See <see cref="DefaultCpuMillicores"/>.</summary>
    public int DefaultMemoryMb { get; set; } = 256;

    /// <summary>The Perl interpreter that runs the pod supervisor (part of every Debian/Ubuntu base system).</summary>
    public string PerlPath { get; set; } = "/usr/bin/perl";

    /// <summary>
    /// Host files a networked app needs besides <see cref="SandboxOptions.SystemPaths"/>, bound read-only at the same
    /// path when they exist (a symlink is resolved and its target bound, so a systemd-resolved resolv.conf works):
    /// name resolution and TLS roots. Still not passwd, shadow or the rest of /etc.
    /// </summary>
    public IList<string> NetworkPaths { get; } =
    [
        "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf", "/etc/services",
        "/etc/protocols", "/etc/ssl", "/etc/ca-certificates", "/etc/mime.types",
    ];

    /// <summary>How pods are networked: each in its own namespace (default), or sharing the host's network.</summary>
    public SandboxPodNetworkMode Network { get; set; } = SandboxPodNetworkMode.Isolated;

    /// <summary>
    /// The group every host socket of a pod's pasta belongs to: the firewall table inet poddle_sandbox keys its rules on
    /// it, so no other process of the host may use this group.
    /// </summary>
    public int NetworkGroupId { get; set; } = 65533;

    /// <summary>
    /// The server's agent listener port, which a pod reaches at 127.0.0.1 inside its namespace (pasta maps that one port
    /// to the host's loopback). Set by the server from Agents:ListenPort; 0 when there is none.
    /// </summary>
    public int AgentPort { get; set; }

    /// <summary>pasta, from Debian's passt package: connects a pod's namespace to the outside.</summary>
    public string PastaPath { get; set; } = "/usr/bin/pasta";

    /// <summary>iproute2's ip: creates and deletes the named network namespaces.</summary>
    public string IpPath { get; set; } = "/usr/sbin/ip";

    /// <summary>util-linux's nsenter: starts a pod's command inside its namespace.</summary>
    public string NsenterPath { get; set; } = "/usr/bin/nsenter";

    /// <summary>nftables' nft: installs the firewall table.</summary>
    public string NftPath { get; set; } = "/usr/sbin/nft";

    /// <summary>How often WaitAsync and log following look for news in a pod's directory.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);
}
