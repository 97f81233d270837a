namespace Poddle.Drivers.Sandbox.Tests;

public sealed class SandboxExecutionOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new SandboxExecutionOptionsValidator().Validate(null, new SandboxExecutionOptions()).Succeeded);

    [Fact]
    public void Validate_BadValue_FailsNamingTheSectionAndKey()
    {
        var result = new SandboxExecutionOptionsValidator().Validate(null, new SandboxExecutionOptions { RunCpuMs = 0 });

        Assert.True(result.Failed);
        Assert.Contains("Sandbox:Execution", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("RunCpuMs", result.FailureMessage, StringComparison.Ordinal);
    }
}
