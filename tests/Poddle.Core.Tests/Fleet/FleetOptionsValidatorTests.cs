using Poddle.Core.Fleet;

namespace Poddle.Core.Tests.Fleet;

public sealed class FleetOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new FleetOptionsValidator().Validate(null, new FleetOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_NameEachKey()
    {
        var result = new FleetOptionsValidator().Validate(null, new FleetOptions
        {
            ReconcileInterval = TimeSpan.Zero,
            OrphanGrace = TimeSpan.FromSeconds(-1),
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "Fleet:ReconcileInterval", "Fleet:OrphanGrace" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }
}
