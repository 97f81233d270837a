using Poddle.Server.Piston;

namespace Poddle.Server.Tests.Endpoints;

public sealed class PistonVersionSelectorTests
{
    [Theory]
    [InlineData("3.11.2", "3.11.2", true)]
    [InlineData("3.11.2", "=3.11.2", true)]
    [InlineData("3.11.2", "3.11.3", false)]
    [InlineData("3.11.2", "*", true)]
    [InlineData("3.11.2", "", true)]
    [InlineData("3.11.2", "3.X", true)]
    [InlineData("3.11.2", "3.11.*", true)]
    [InlineData("3.11.2", "3.12.x", false)]
    [InlineData("3.11.2", ">3.11", false)]
    [InlineData("3.11.2", ">3.10", true)]
    [InlineData("3.11.2", "<=3.11", true)]
    [InlineData("3.11.2", "<3.11.2", false)]
    [InlineData("3.11.2", ">= 3.11.2", true)]
    [InlineData("0.2.5", "^0.2.3", true)]
    [InlineData("0.3.0", "^0.2.3", false)]
    [InlineData("0.0.4", "^0.0.3", false)]
    [InlineData("3.12.0", "~3.11", false)]
    [InlineData("3.11.9", "~3.11", true)]
    [InlineData("3.11.2", "3.8 - 3.11", true)]
    [InlineData("3.12.0", "3.8 - 3.11", false)]
    [InlineData("3.11.2", "1.x || >=3.11.1 <3.11.3", true)]
    [InlineData("21", "21.x", true)]
    [InlineData("1.75.0-nightly", "1.75", true)]
    [InlineData("3.11.2", "three", false)]
    public void Satisfies_FollowsNodeSemverRanges(string version, string selector, bool expected) =>
        Assert.Equal(expected, VersionSelector.Satisfies(version, selector));
}
