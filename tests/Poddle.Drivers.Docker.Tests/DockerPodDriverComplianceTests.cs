using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Compliance;

namespace Poddle.Drivers.Docker.Tests;

/// <summary>The driver compliance suite on the real Docker Engine, with busybox's sh and httpd in the test image.</summary>
public sealed class DockerPodDriverComplianceTests : PodDriverComplianceTests
{
    protected override string HttpServerScript => "mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www";

    protected override async Task<IPodDriver> CreateDriverAsync() => await DockerTestEngine.CreateDriverAsync();

    protected override PodSpec ShellSpec(string script, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> env, int? port, PodResources resources) =>
        new("compliance", labels, DockerTestEngine.BusyboxImage, ["sh", "-c", script], null, env, port, resources);
}
