using Poddle.Agent.Tests.Support;
using Poddle.Agent.Tuning;

namespace Poddle.Agent.Tests.Tuning;

public sealed class PodEnvironmentTests : IDisposable
{
    private readonly TestDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Detect_RunPodVariable_IsRunPodWithItsPodId()
    {
        var environment = PodEnvironment.Detect(new Dictionary<string, string> { ["RUNPOD_POD_ID"] = "abc123", ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["HOSTNAME"] = "h" }, _root.Path);

        Assert.Equal(new PodEnvironment("runpod", "abc123", "h"), environment);
    }

    [Fact]
    public void Detect_KubernetesVariableOrServiceAccount_IsKubernetesNamedByHostname()
    {
        Assert.Equal("kubernetes", PodEnvironment.Detect(new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["HOSTNAME"] = "web-5d8f" }, _root.Path).Kind);

        Directory.CreateDirectory(_root.File("var/run/secrets/kubernetes.io/serviceaccount"));
        var environment = PodEnvironment.Detect(new Dictionary<string, string> { ["HOSTNAME"] = "web-5d8f" }, _root.Path);
        Assert.Equal(("kubernetes", "web-5d8f"), (environment.Kind, environment.PodId));
    }

    [Fact]
    public void Detect_DockerenvOrDockerCgroup_IsDocker()
    {
        File.WriteAllText(_root.File(".dockerenv"), string.Empty);
        Assert.Equal("docker", PodEnvironment.Detect(new Dictionary<string, string>(), _root.Path).Kind);

        File.Delete(_root.File(".dockerenv"));
        Directory.CreateDirectory(_root.File("proc/1"));
        File.WriteAllText(_root.File("proc/1/cgroup"), "0::/system.slice/docker-4f3c.scope\n");
        Assert.Equal("docker", PodEnvironment.Detect(new Dictionary<string, string>(), _root.Path).Kind);
    }

    [Fact]
    public void Detect_NoMarkers_IsLinux()
    {
        Directory.CreateDirectory(_root.File("proc/1"));
        File.WriteAllText(_root.File("proc/1/cgroup"), "0::/init.scope\n");

        Assert.Equal(new PodEnvironment("linux", "box", "box"), PodEnvironment.Detect(new Dictionary<string, string> { ["HOSTNAME"] = "box" }, _root.Path));
    }
}
