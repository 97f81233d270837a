using Poddle.Agent.Tests.Health;
using Poddle.Agent.Tuning;

namespace Poddle.Agent.Tests.Tuning;

public sealed class PodEnvironmentLookupTests : IDisposable
{
    private readonly TempTree _proc = new("poddle-proc-");
    private readonly TempTree _root = new("poddle-root-");

    public void Dispose()
    {
        _proc.Dispose();
        _root.Dispose();
    }

    private PodEnvironment Detect(Dictionary<string, string> variables) =>
        PodEnvironment.Detect(name => variables.GetValueOrDefault(name), _root.Root, _proc.Root);

    [Fact]
    public void RunPod_ThePodIdFromItsVariable()
    {
        var identity = Detect(new() { ["RUNPOD_POD_ID"] = "abc123xyz", ["HOSTNAME"] = "3f2e", ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1" });

        Assert.Equal(new PodEnvironment("runpod", "abc123xyz", "3f2e"), identity);
    }

    [Fact]
    public void Kubernetes_ThePodNameIsTheHostName()
    {
        Assert.Equal(new PodEnvironment("kubernetes", "web-7d9f-x2x", "web-7d9f-x2x"), Detect(new() { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["HOSTNAME"] = "web-7d9f-x2x" }));
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

        Assert.Equal(new PodEnvironment("linux", "box", "box"), linux);
        Assert.Equal(new PodEnvironment("docker", "0123abcd", "0123abcd"), byCgroup);
        Assert.Equal("docker", byDockerenv.Kind);
    }

    [Fact]
    public void NoHostnameVariable_UsesTheMachineName() =>
        Assert.Equal(Environment.MachineName, Detect([]).Hostname);
}
