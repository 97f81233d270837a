namespace Poddle.Drivers.Docker;

/// <summary>Settings of the Docker pod driver (configuration section "Docker", e.g. PODDLE_Docker__Network), validated at start.</summary>
public sealed class DockerDriverOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Docker";

    /// <summary>The engine's API endpoint: unix:///var/run/docker.sock, tcp://host:2375.</summary>
    public Uri Endpoint { get; set; } = new("unix:///var/run/docker.sock");

    /// <summary>The network containers join ("bridge" by default; a user-defined network gives DNS between pods).</summary>
    public string Network { get; set; } = "bridge";

    /// <summary>When to pull a pod's image from its registry.</summary>
    public DockerImagePullPolicy ImagePullPolicy { get; set; } = DockerImagePullPolicy.IfNotPresent;

    /// <summary>How the server reaches a pod's port: see <see cref="DockerEndpointMode"/>.</summary>
    public DockerEndpointMode EndpointMode { get; set; } = DockerEndpointMode.ContainerAddress;

    /// <summary>
    /// The host address ports are published on in <see cref="DockerEndpointMode.PublishedPort"/> mode (loopback, so only
    /// the server's proxy reaches pods).
    /// </summary>
    public string PublishAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The container's own stop timeout: how long the engine waits after SIGTERM when it stops the container itself
    /// (daemon shutdown, <c>docker stop</c> without -t). Poddle's own stops pass their grace period explicitly.
    /// </summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether to run an init process (docker-init, tini) as PID 1, which forwards signals and reaps zombies. Null: when
    /// the engine has docker-init (asked once).
    /// </summary>
    public bool? UseInit { get; set; }

    /// <summary>
    /// Each tenant's pods on a bridge network of their own (poddle-net-{hash}, interface pdl-{hash}), so pods of different
    /// tenants cannot reach each other, and a firewall table (inet poddle_docker) that refuses those networks every
    /// service of the host but the agent listener (needs nftables). False: every pod on <see cref="Network"/>, with no
    /// isolation between tenants and from the host.
    /// </summary>
    public bool IsolateTenants { get; set; } = true;

    /// <summary>The address block tenant networks are carved from (a /16 holds 256 tenant networks of /24).</summary>
    public string TenantNetworkPool { get; set; } = "10.213.0.0/16";

    /// <summary>The prefix length of each tenant's network (24: 253 pods per tenant).</summary>
    public int TenantNetworkPrefixLength { get; set; } = 24;

    /// <summary>
    /// The server's agent listener port, the one port of the host that tenant networks may open. Set by the server from
    /// Agents:ListenPort; 0 when there is none.
    /// </summary>
    public int AgentPort { get; set; }

    /// <summary>nftables' nft, for the firewall table.</summary>
    public string NftPath { get; set; } = "/usr/sbin/nft";

    /// <summary>Prefix of every container name, before the spec's name and a random suffix.</summary>
    public string NamePrefix { get; set; } = "poddle-";

    /// <summary>
    /// The most processes and threads a container may run (the pids cgroup), against fork bombs. Raise it for runtimes
    /// with many threads (a JVM with a large pool).
    /// </summary>
    public long PidsLimit { get; set; } = 1024;

    /// <summary>The size at which a container's json-file log is rotated, in MiB (Docker's <c>max-size</c>).</summary>
    public int LogMaxSizeMb { get; set; } = 10;

    /// <summary>How many log files a container keeps, the current one included (Docker's <c>max-file</c>): its output is capped at LogMaxSizeMb × LogMaxFiles.</summary>
    public int LogMaxFiles { get; set; } = 3;

    /// <summary>The size of the writable tmpfs at /tmp of a pod with a read-only root filesystem, in MiB (it counts against the pod's memory).</summary>
    public int TmpfsSizeMb { get; set; } = 64;

    /// <summary>
    /// Whether a replica's previous container is kept (stopped, hidden) when a restart replaces it, so the replica's logs
    /// still show why it stopped; it is removed with the replica or at its next restart.
    /// </summary>
    public bool KeepPreviousContainer { get; set; } = true;
}

/// <summary>When the driver pulls an image.</summary>
public enum DockerImagePullPolicy
{
    /// <summary>Pull only when the engine does not have the image (Kubernetes' default for tagged images).</summary>
    IfNotPresent,

    /// <summary>Never pull: a missing image fails the start with <c>ImageNotFound</c>.</summary>
    Never,

    /// <summary>Pull before every start (a mutable tag such as :latest picks up a new push); a failed pull of an image the engine already has still starts it.</summary>
    Always,
}

/// <summary>How a pod's port is made reachable from the server.</summary>
public enum DockerEndpointMode
{
    /// <summary>
    /// The container's address on its network plus the pod's port (172.17.0.5:8080): no host port is used and traffic
    /// takes the kernel's route, not docker-proxy. Needs the server on the engine's host (Linux).
    /// </summary>
    ContainerAddress,

    /// <summary>
    /// The port is published on <see cref="DockerDriverOptions.PublishAddress"/> with an ephemeral host port
    /// (127.0.0.1:49153): works where container addresses are not routable from the server (Docker Desktop, rootless).
    /// </summary>
    PublishedPort,
}
