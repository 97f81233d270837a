using Poddle.Agent.Diagnostics;

namespace Poddle.Agent.Tests.Diagnostics;


public sealed class SecretMaskerTests
{
    [Theory]
    [InlineData("PODDLE_AGENT_TOKEN", true)]
    [InlineData("AWS_SECRET_ACCESS_KEY", true)]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("api_key", true)]
    [InlineData("GOOGLE_APPLICATION_CREDENTIALS", true)]
    [InlineData("HTTP_AUTHORIZATION", true)]
    [InlineData("PWD", false)]
    [InlineData("PATH", false)]
    [InlineData("RUNPOD_POD_ID", false)]
    public void IsSecretName(string name, bool secret) => Assert.Equal(secret, SecretMasker.IsSecretName(name));

    [Fact]
    public void MaskVariable_SecretNamesWhollyAndPasswordsInUrlsAndConnectionStrings()
    {
        Assert.Equal("****", SecretMasker.MaskVariable("PODDLE_AGENT_TOKEN", "pdl_abc123"));
        Assert.Equal("postgres://poddle:****@db:5432/poddle", SecretMasker.MaskVariable("DATABASE_URL", "postgres://poddle:s3cr3t@db:5432/poddle"));
        Assert.Equal("Host=db;Username=poddle;Password=****;Database=x", SecretMasker.MaskVariable("PODDLE_DB", "Host=db;Username=poddle;Password=s3cr3t;Database=x"));
        Assert.Equal("http://example.com:8080/x", SecretMasker.MaskVariable("UPSTREAM", "http://example.com:8080/x"));
        Assert.Equal("/usr/bin:/bin", SecretMasker.MaskVariable("PATH", "/usr/bin:/bin"));
    }
}
