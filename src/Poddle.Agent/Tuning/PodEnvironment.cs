namespace Poddle.Agent.Tuning;

/// <summary>Where the agent runs: "runpod", "kubernetes", "docker" or "linux", and the pod's id there.</summary>
public sealed record PodEnvironment(string Kind, string? PodId, string Hostname)
{
    /// <summary>
    /// Detects the environment: RUNPOD_POD_ID → runpod; KUBERNETES_SERVICE_HOST or a service-account directory →
    /// kubernetes (pod id = host name, which Kubernetes sets to the pod name); /.dockerenv or a docker/containerd
    /// cgroup of PID 1 → docker (pod id = host name, the short container id); else linux (pod id = host name).
    /// </summary>
    /// <param name="variables">The environment.</param>
    /// <param name="root">The file system root the marker files are looked up under (tests use a temp directory).</param>
    public static PodEnvironment Detect(IReadOnlyDictionary<string, string> variables, string root = "/")
    {
        ArgumentNullException.ThrowIfNull(variables);
        return Detect(name => variables.TryGetValue(name, out var value) ? value : null, root);
    }

    /// <summary>The same detection from a variable lookup; <paramref name="procRoot"/> defaults to <paramref name="root"/>/proc.</summary>
    /// <param name="variable">Reads one environment variable (null when unset).</param>
    /// <param name="root">The file system root the marker files are looked up under (tests use a temp directory).</param>
    /// <param name="procRoot">Where /proc is (PID 1's cgroup is read there).</param>
    public static PodEnvironment Detect(Func<string, string?> variable, string root = "/", string? procRoot = null)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string? Get(string name) => variable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        var hostname = Get("HOSTNAME") ?? Environment.MachineName;
        if (Get("RUNPOD_POD_ID") is { } runpod)
        {
            return new PodEnvironment("runpod", runpod, hostname);
        }

        if (Get("KUBERNETES_SERVICE_HOST") is not null || Directory.Exists(Path.Combine(root, "var/run/secrets/kubernetes.io/serviceaccount")))
        {
            return new PodEnvironment("kubernetes", hostname, hostname);
        }

        if (File.Exists(Path.Combine(root, ".dockerenv")) || CgroupSaysContainer(Path.Combine(procRoot ?? Path.Combine(root, "proc"), "1/cgroup")))
        {
            return new PodEnvironment("docker", hostname, hostname);
        }

        return new PodEnvironment("linux", hostname, hostname);
    }

    private static bool CgroupSaysContainer(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            return text.Contains("docker", StringComparison.Ordinal) || text.Contains("containerd", StringComparison.Ordinal) || text.Contains("libpod", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

}
