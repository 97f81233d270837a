using Poddle.Core.Pools;

namespace Poddle.Core.Tests.Pools;

public sealed class PoolOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new PoolOptionsValidator().Validate(null, new PoolOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_NameEachKey()
    {
        var result = new PoolOptionsValidator().Validate(null, new PoolOptions
        {
            MaxPoolsPerOwner = -1,
            MaxQueuedJobs = 0,
            DefaultWait = TimeSpan.FromHours(1),
            PingInterval = TimeSpan.Zero,
            WebhookAttempts = 0,
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "Pools:MaxPoolsPerOwner", "Pools:MaxQueuedJobs", "Pools:DefaultWait", "Pools:PingInterval", "Pools:WebhookAttempts" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }
}
