using Poddle.Core.Agents;
using Poddle.Testing;

namespace Poddle.Core.Tests.Agents;

public sealed class AgentOptionsTests
{
    [Fact]
    public void Defaults_AreValid_LostAfterThreeIntervals()
    {
        var options = new AgentOptions();
        Assert.True(new AgentOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(90), options.LostAfter);
    }

    [Theory]
    [InlineData("ServerUrl", "Agents:ServerUrl")]
    [InlineData("DriverServerUrls", "Agents:DriverServerUrls:docker")]
    [InlineData("HeartbeatInterval", "Agents:HeartbeatInterval")]
    [InlineData("LostAfterIntervals", "Agents:LostAfterIntervals")]
    public void Invalid_FailsNamingTheKey(string property, string key)
    {
        var options = new AgentOptions();
        switch (property)
        {
            case "ServerUrl": options.ServerUrl = "ftp://example.com"; break;
            case "DriverServerUrls": options.DriverServerUrls["docker"] = "172.17.0.1:8080"; break;
            case "HeartbeatInterval": options.HeartbeatInterval = TimeSpan.FromMilliseconds(500); break;
            default: options.LostAfterIntervals = 1; break;
        }

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080")]
    [InlineData("http://[::]:8080", "http://127.0.0.1:8080")]
    [InlineData("http://+:80", "http://127.0.0.1:80")]
    [InlineData("http://127.0.0.1:41234", "http://127.0.0.1:41234")]
    [InlineData("http://[::1]:5000", "http://[::1]:5000")]
    [InlineData("http://localhost:8080", "http://localhost:8080")]
    public void ListenAddress_WildcardBecomesLoopback(string listen, string expected) =>
        Assert.Equal(expected, AgentServerAddress.Reachable(listen));

    [Fact]
    public void For_DriverOverrideThenServerUrlThenListenAddress()
    {
        var options = new AgentOptions { DriverServerUrls = { ["docker"] = "http://172.17.0.1:8080/" } };
        var address = new AgentServerAddress(Microsoft.Extensions.Options.Options.Create(options));
        Assert.Null(address.For("sandbox"));

        address.SetListenAddresses(["https://0.0.0.0:8443", "http://0.0.0.0:8080"]);
        Assert.Equal("http://127.0.0.1:8080", address.For("sandbox"));
        Assert.Equal("http://172.17.0.1:8080", address.For("docker"));

        options.ServerUrl = "http://poddle.internal:8080";
        Assert.Equal("http://poddle.internal:8080", address.For("sandbox"));
        Assert.Equal("http://172.17.0.1:8080", address.For("docker"));
    }

    [Fact]
    public async Task ForAsync_NothingConfigured_DockerPodsGetTheHostAddressOnTheirNetworkWithTheListenPort()
    {
        // A fresh engine: no Agents:DriverServerUrls:docker; the driver knows the bridge's address (172.17.0.1).
        var options = new AgentOptions();
        var address = new AgentServerAddress(Microsoft.Extensions.Options.Options.Create(options));
        var docker = new NamedTestPodDriver("docker", images: true, commands: false) { HostAddress = "172.17.0.1" };
        var sandbox = NamedTestPodDriver.Sandbox();
        address.SetListenAddresses(["http://0.0.0.0:41234"]);

        Assert.Equal("http://172.17.0.1:41234", await address.ForAsync(docker, CancellationToken.None));
        Assert.Equal("http://127.0.0.1:41234", await address.ForAsync(sandbox, CancellationToken.None));

        address.SetListenAddresses(["http://[::]:8080"]);
        Assert.Equal("http://172.17.0.1:8080", await address.ForAsync(docker, CancellationToken.None));

        // Listening on loopback only: a pod could not connect to the bridge address, so nothing better than before.
        address.SetListenAddresses(["http://127.0.0.1:8080"]);
        Assert.Equal("http://127.0.0.1:8080", await address.ForAsync(docker, CancellationToken.None));

        // The engine cannot say (down): the listen address, as before.
        address.SetListenAddresses(["http://0.0.0.0:8080"]);
        docker.HostAddress = null;
        Assert.Equal("http://127.0.0.1:8080", await address.ForAsync(docker, CancellationToken.None));
    }

    [Fact]
    public async Task ForAsync_ConfiguredUrls_WinOverTheDetectedAddress()
    {
        var options = new AgentOptions();
        var address = new AgentServerAddress(Microsoft.Extensions.Options.Options.Create(options));
        var docker = new NamedTestPodDriver("docker", images: true, commands: false) { HostAddress = "172.17.0.1" };
        address.SetListenAddresses(["http://0.0.0.0:8080"]);

        options.ServerUrl = "http://poddle.internal:8080";
        Assert.Equal("http://poddle.internal:8080", await address.ForAsync(docker, CancellationToken.None));

        options.DriverServerUrls["docker"] = "http://10.0.0.5:9000/";
        Assert.Equal("http://10.0.0.5:9000", await address.ForAsync(docker, CancellationToken.None));
    }
}
