using Poddle.Core.Common;
using Poddle.Core.Deployments;

namespace Poddle.Core.Tests.Common;

public sealed class FieldPathTests
{
    [Fact]
    public void Of_SeveralMembers_JoinsThemWithDots()
    {
        var path = FieldPath.Of(nameof(NewDeployment.HealthCheck), nameof(HealthCheckInput.Command));

        Assert.Equal("HealthCheck.Command", path.Value);
        Assert.Equal(path, DeploymentFields.HealthCheckCommand);
    }

    [Fact]
    public void Index_OfAMember_AppendsTheIndexInBrackets()
    {
        Assert.Equal("Security.Capabilities[0]", DeploymentFields.SecurityCapabilities.Index(0).Value);
        Assert.Equal("Command[3].Name", FieldPath.Of("Command").Index(3).Member("Name").Value);
    }

    [Fact]
    public void Key_AnyCharacters_IsKeptVerbatimAsTheLastSegment()
    {
        var path = DeploymentFields.Env.Key("A.b['x']\n");

        Assert.Equal("Env['A.b['x']\n']", path.Value);
        Assert.True(path.EndsInKey);
        Assert.False(DeploymentFields.Env.EndsInKey);
    }

    [Fact]
    public void MemberOrIndex_AfterAKey_Throws()
    {
        var path = DeploymentFields.Env.Key("PORT");

        Assert.Throws<InvalidOperationException>(() => path.Member("Value"));
        Assert.Throws<InvalidOperationException>(() => path.Index(0));
    }

    [Theory]
    [InlineData("")]
    [InlineData("health.check")]
    [InlineData("env[0]")]
    [InlineData("a b")]
    public void Of_NotAMemberName_Throws(string member) =>
        Assert.ThrowsAny<ArgumentException>(() => FieldPath.Of(member));

    [Fact]
    public void Member_OfTheDefaultPath_Throws() =>
        Assert.Throws<InvalidOperationException>(() => default(FieldPath).Member("Name"));

    [Fact]
    public void Index_Negative_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FieldPath.Of("Command").Index(-1));

    [Fact]
    public void FieldErrors_SamePathTwice_CollectsBothMessagesUnderItsValue()
    {
        var errors = new FieldErrors();
        errors.Add(DeploymentFields.HealthCheckPort, "one");
        errors.Add(FieldPath.Of(nameof(NewDeployment.HealthCheck)).Member(nameof(HealthCheckInput.Port)), "two");

        var fields = errors.ToError().Fields!;

        Assert.Equal(["one", "two"], Assert.Single(fields, f => f.Key == "HealthCheck.Port").Value);
    }
}
