namespace Poddle.Agent.Health;

/// <summary>Where the agent runs ("runpod", "kubernetes", "docker" or "linux") and the pod's id there.</summary>
public sealed record PodIdentity(string Environment, string? PodId, string Hostname)
{
    /// <summary>
    /// RUNPOD_POD_ID → runpod; KUBERNETES_SERVICE_HOST → kubernetes (the pod's name is its host name);
    /// /.dockerenv or "docker" in /proc/1/cgroup → docker (the container id is its host name); else linux.
    /// </summary>
    public static PodIdentity Detect(Func<string, string?> variable, string procRoot = "/proc", string fileSystemRoot = "/")
    {
        var hostname = variable("HOSTNAME") is { Length: > 0 } fromVariable ? fromVariable : System.Environment.MachineName;
        if (variable("RUNPOD_POD_ID") is { Length: > 0 } runpod)
        {
            return new PodIdentity("runpod", runpod, hostname);
        }

        if (variable("KUBERNETES_SERVICE_HOST") is { Length: > 0 })
        {
            return new PodIdentity("kubernetes", variable("POD_NAME") ?? hostname, hostname);
        }

        var initCgroup = Cgroups.ReadText(Path.Combine(procRoot, "1"), "cgroup") ?? string.Empty;
        if (File.Exists(Path.Combine(fileSystemRoot, ".dockerenv")) || initCgroup.Contains("docker", StringComparison.Ordinal))
        {
            return new PodIdentity("docker", hostname, hostname);
        }

        return new PodIdentity("linux", hostname, hostname);
    }
}
