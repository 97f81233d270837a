using Poddle.Drivers.Sandbox.Pods;

namespace Poddle.Drivers.Sandbox.Tests.Pods;

public sealed class SandboxPodOptionsValidatorTests
{
    [Fact]
    public void Validate_AbsoluteStateDirectory_Succeeds() =>
        Assert.True(new SandboxPodOptionsValidator().Validate(null, new SandboxPodOptions { StateDirectory = "/var/lib/poddle/pods" }).Succeeded);

    [Theory]
    [InlineData("StateDirectory", "Sandbox:Pods:StateDirectory")]
    [InlineData("PortRangeStart", "Sandbox:Pods:PortRangeStart")]
    [InlineData("PortRangeEnd", "Sandbox:Pods:PortRangeEnd")]
    public void Validate_BadValue_FailsNamingTheKey(string property, string key)
    {
        var options = new SandboxPodOptions { StateDirectory = "/var/lib/poddle/pods" };
        switch (property)
        {
            case "StateDirectory": options.StateDirectory = "data/pods"; break;
            case "PortRangeStart": options.PortRangeStart = 80; break;
            default: options.PortRangeEnd = options.PortRangeStart - 1; break;
        }

        var result = new SandboxPodOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }
}
