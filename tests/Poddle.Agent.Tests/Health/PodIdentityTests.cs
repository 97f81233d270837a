using Poddle.Agent.Health;

namespace Poddle.Agent.Tests.Health;

public sealed class PodIdentityTests : IDisposable
{
    private readonly TempTree _proc = new("poddle-proc-");
    private readonly TempTree _root = new("poddle-root-");

    public void Dispose()
    {
        _proc.Dispose();
        _root.Dispose();
    }

    private PodIdentity Detect(Dictionary<string, string> variables) =>
        PodIdentity.Detect(name => variables.GetValueOrDefault(name), _proc.Root, _root.Root);

    [Fact]
    public void RunPod_ThePodIdFromItsVariable()
    {
        var identity = Detect(new() { ["RUNPOD_POD_ID"] = "abc123xyz", ["HOSTNAME"] = "3f2e", ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1" });

        Assert.Equal(new PodIdentity("runpod", "abc123xyz", "3f2e"), identity);
    }

    [Fact]
    public void Kubernetes_ThePodNameIsTheHostName()
    {
        Assert.Equal(new PodIdentity("kubernetes", "web-7d9f-x2x", "web-7d9f-x2x"), Detect(new() { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["HOSTNAME"] = "web-7d9f-x2x" }));
    }

    [Fact]
    public void Docker_FromDockerenvOrInitCgroup_ElseLinux()
    {
        var linux = Detect(new() { ["HOSTNAME"] = "box" });
        _proc.Write("1/cgroup", "0::/system.slice/docker-0123abcd.scope\n");
        var byCgroup = Detect(new() { ["HOSTNAME"] = "0123abcd" });
        _proc.Write("1/cgroup", "0::/\n");
        _root.Write(".dockerenv", string.Empty);
        var byDockerenv = Detect(new() { ["HOSTNAME"] = "0123abcd" });

        Assert.Equal(new PodIdentity("linux", "box", "box"), linux);
        Assert.Equal(new PodIdentity("docker", "0123abcd", "0123abcd"), byCgroup);
        Assert.Equal("docker", byDockerenv.Environment);
    }

    [Fact]
    public void NoHostnameVariable_UsesTheMachineName() =>
        Assert.Equal(Environment.MachineName, Detect([]).Hostname);
}
