namespace Poddle.Drivers.Docker.Tests;

public sealed class DockerDriverOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new DockerDriverOptionsValidator().Validate(null, new DockerDriverOptions()).Succeeded);

    [Theory]
    [InlineData("PidsLimit", "Docker:PidsLimit")]
    [InlineData("LogMaxSizeMb", "Docker:LogMaxSizeMb")]
    [InlineData("LogMaxFiles", "Docker:LogMaxFiles")]
    [InlineData("TmpfsSizeMb", "Docker:TmpfsSizeMb")]
    [InlineData("StopTimeout", "Docker:StopTimeout")]
    [InlineData("Network", "Docker:Network")]
    public void Validate_BadValue_FailsNamingTheKey(string property, string key)
    {
        var options = new DockerDriverOptions();
        switch (property)
        {
            case "PidsLimit": options.PidsLimit = 1; break;
            case "LogMaxSizeMb": options.LogMaxSizeMb = 0; break;
            case "LogMaxFiles": options.LogMaxFiles = 0; break;
            case "TmpfsSizeMb": options.TmpfsSizeMb = 0; break;
            case "StopTimeout": options.StopTimeout = TimeSpan.FromSeconds(-1); break;
            default: options.Network = " "; break;
        }

        var result = new DockerDriverOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }
}
