using Poddle.Core.Executions;

namespace Poddle.Core.Tests.Executions;

public sealed class ExecutionOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new ExecutionOptionsValidator().Validate(null, new ExecutionOptions()).Succeeded);

    [Theory]
    [InlineData("Concurrency", "Execution:Concurrency")]
    [InlineData("MaxLimits", "Execution:MaxLimits:MemoryMb")]
    [InlineData("MaxCodeBytes", "Execution:MaxCodeBytes")]
    [InlineData("WaitTimeout", "Execution:WaitTimeout")]
    [InlineData("ExpirySchedule", "Execution:ExpirySchedule")]
    [InlineData("RateLimit", "Execution:RateLimit:PerMinute")]
    public void Validate_BadValue_FailsNamingTheKey(string property, string key)
    {
        var options = new ExecutionOptions();
        switch (property)
        {
            case "Concurrency": options.Concurrency = -1; break;
            case "MaxLimits": options.MaxLimits.MemoryMb = 4; break;
            case "MaxCodeBytes": options.MaxCodeBytes = 1; break;
            case "WaitTimeout": options.WaitTimeout = TimeSpan.Zero; break;
            case "ExpirySchedule": options.ExpirySchedule = "every minute"; break;
            default: options.RateLimit.PerMinute = 0; break;
        }

        var result = new ExecutionOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }
}
