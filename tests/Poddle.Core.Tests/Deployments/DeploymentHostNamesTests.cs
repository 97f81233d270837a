using Poddle.Core.Deployments;

namespace Poddle.Core.Tests.Deployments;

public sealed class DeploymentHostNamesTests
{
    [Fact]
    public void For_JoinsDeploymentProjectAndBaseDomain_InLowerCase() =>
        Assert.Equal("web-demo.apps.example.com", DeploymentHostNames.For("Web", "demo", "Apps.Example.com."));

    [Fact]
    public void Url_AddsThePortWhenGiven()
    {
        Assert.Equal("http://web-demo.localhost:8080/", DeploymentHostNames.Url("web", "demo", "localhost", port: 8080).ToString());
        Assert.Equal("https://web-demo.example.com/", DeploymentHostNames.Url("web", "demo", "example.com", https: true).ToString());
    }

    [Theory]
    [InlineData("Web-Demo.Localhost:8080", "web-demo.localhost")]
    [InlineData("web-demo.localhost.", "web-demo.localhost")]
    [InlineData("[::1]:8080", "[::1]")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public void Normalize_DropsPortTrailingDotAndCase(string host, string expected) =>
        Assert.Equal(expected, DeploymentHostNames.Normalize(host));

    [Theory]
    [InlineData("web-demo.localhost", "localhost", true)]
    [InlineData("localhost", "localhost", false)]
    [InlineData("notlocalhost", "localhost", false)]
    [InlineData("a.b.apps.example.com", "apps.example.com", true)]
    [InlineData("apps.example.com", "apps.example.com", false)]
    public void IsUnder_OnlyStrictSubdomains(string host, string baseDomain, bool expected) =>
        Assert.Equal(expected, DeploymentHostNames.IsUnder(host, baseDomain));
}
