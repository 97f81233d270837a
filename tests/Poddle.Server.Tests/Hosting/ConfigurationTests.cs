using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Server.Hosting;

namespace Poddle.Server.Tests.Hosting;

/// <summary>These tests set process environment variables, so they run alone.</summary>
[CollectionDefinition(nameof(ConfigurationTests), DisableParallelization = true)]
public sealed class ConfigurationTestsDefinition;

[Collection(nameof(ConfigurationTests))]
public sealed class ConfigurationTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "poddle-config-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<string> _variables = [];

    public static TheoryData<string, string> BadValues => new()
    {
        { "Auth:PasswordWorkFactor", "9" },
        { "Auth:AccessTokenLifetime", "soon" },
        { "Auth:AccessTokenLifetime", "00:00:10" },
        { "Auth:MaxFailedLogins", "0" },
        { "Auth:FailedLoginWindow", "-00:01:00" },
        { "Auth:SigningKey", "not base64!" },
        { "Auth:SigningKey", "c2hvcnQ=" },
        { "MaxRequestBodyBytes", "lots" },
        { "MaxRequestBodyBytes", "10" },
        { "ShutdownTimeoutSeconds", "0" },
        { "Database", "mysql://db.example/poddle" },
        { "Admin:Password", "short" },
        { "Auth:MaxFailedLoginsPerIp", "1" },
        { "Auth:MaxFailedTwoFactorCodes", "0" },
        { "Auth:PasswordResetLifetime", "30.00:00:00" },
        { "Email:Smtp:Host", "smtp.example.test" },
        { "Email:Smtp:Security", "Tls" },
        { "Email:ServerUrl", "poddle.example.test" },
        { "RateLimits:ApiPerUser:PermitLimit", "0" },
        { "RateLimits:Registration:Window", "00:00:00" },
        { "Jobs:Workers", "-1" },
        { "Execution:Concurrency", "-1" },
        { "Grading:Concurrency", "-1" },
        { "Deployments:ReconcileInterval", "00:00:00" },
        { "Deployments:DefaultImageDriver", "dokcer" },
        { "Agents:HeartbeatInterval", "00:00:00.100" },
        { "Docker:PidsLimit", "1" },
        { "Sandbox:Pods:PortRangeStart", "80" },
        { "Proxy:ConnectTimeout", "soon" },
        { "Sandbox:BwrapPath", " " },
        { "Sandbox:SandboxUid", "-1" },
        { "Sandbox:SandboxGid", "-1" },
        { "Sandbox:PollInterval", "-00:00:01" },
        { "Piston:AllowAnonymous", "maybe" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Build_BadValue_ThrowsStartupConfigurationExceptionNamingTheKey(string key, string value)
    {
        var exception = Assert.Throws<StartupConfigurationException>(() => Build(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(key, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DefaultsAreValid_AndTheGeneratedSigningKeyIsKeptInTheDataDirectory()
    {
        byte[] first;
        using (var app = Build([]))
        {
            first = app.Services.GetRequiredService<AccessTokenSigningKey>().Key;
            Assert.Equal(1024 * 1024, app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.MaxRequestBodyBytes);
        }

        Assert.True(File.Exists(Path.Combine(_dataDir, "jwt-signing.key")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dataDir, "jwt-signing.key")));
        }

        using var again = Build([]);
        Assert.Equal(first, again.Services.GetRequiredService<AccessTokenSigningKey>().Key);
    }

    [Fact]
    public void Build_CorruptSigningKeyFile_ThrowsStartupConfigurationException()
    {
        Directory.CreateDirectory(_dataDir);
        File.WriteAllText(Path.Combine(_dataDir, "jwt-signing.key"), "c2hvcnQ=");

        var exception = Assert.Throws<StartupConfigurationException>(() => Build([]));

        Assert.Contains("jwt-signing.key", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_EnvironmentAliases_MapToTheirKeys()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var database = Path.Combine(_dataDir, "elsewhere.db");
        SetEnvironment("PODDLE_DATA_DIR", _dataDir);
        SetEnvironment("PODDLE_DATABASE", "sqlite:" + database);
        SetEnvironment("PODDLE_URLS", "http://127.0.0.1:5999");
        SetEnvironment("PODDLE_ADMIN_EMAIL", "root@example.test");
        SetEnvironment("PODDLE_ADMIN_USERNAME", "root");
        SetEnvironment("PODDLE_ADMIN_PASSWORD", "root-password");
        SetEnvironment("PODDLE_JWT_SIGNING_KEY", key);
        SetEnvironment("PODDLE_Auth__MaxFailedLogins", "7");
        SetEnvironment("PODDLE_PISTON_ALLOW_ANONYMOUS", "true");

        using var app = PoddleServer.Build(new ServerStartOptions());

        var server = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        Assert.Equal(_dataDir, server.DataDir);
        Assert.Equal("sqlite:" + database, server.Database);
        Assert.Equal("http://127.0.0.1:5999", app.Configuration["Urls"]);
        Assert.Equal("root@example.test", server.Admin.Email);
        Assert.Equal("root", server.Admin.Username);
        Assert.Equal("root-password", server.Admin.Password);
        Assert.Equal(key, app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.SigningKey);
        Assert.Equal(Convert.FromBase64String(key), app.Services.GetRequiredService<AccessTokenSigningKey>().Key);
        Assert.Equal(7, app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.MaxFailedLogins);
        Assert.True(app.Services.GetRequiredService<IOptions<Piston.PistonOptions>>().Value.AllowAnonymous);
    }

    [Fact]
    public void Build_Precedence_IsDefaultsThenFileThenEnvironmentThenStartSettings()
    {
        Directory.CreateDirectory(_dataDir);
        File.WriteAllText(Path.Combine(_dataDir, "poddle.json"), """
            { "MaxRequestBodyBytes": 2048, "ShutdownTimeoutSeconds": 5, "Auth": { "MaxFailedLogins": 3, "Issuer": "from-file" } }
            """);
        SetEnvironment("PODDLE_MaxRequestBodyBytes", "4096");
        SetEnvironment("PODDLE_Auth__MaxFailedLogins", "4");

        using var app = Build(new Dictionary<string, string?> { ["Auth:MaxFailedLogins"] = "9" });

        var server = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        Assert.Equal(4096, server.MaxRequestBodyBytes);
        Assert.Equal(5, server.ShutdownTimeoutSeconds);
        Assert.Equal(9, auth.MaxFailedLogins);
        Assert.Equal("from-file", auth.Issuer);
        Assert.Equal(TimeSpan.FromMinutes(15), auth.AccessTokenLifetime);
    }

    [Fact]
    public void Build_MissingOrInvalidConfigFile_ThrowsNamingTheFile()
    {
        var missing = Path.Combine(_dataDir, "missing.json");
        var missingError = Assert.Throws<StartupConfigurationException>(() =>
            PoddleServer.Build(new ServerStartOptions { DataDir = _dataDir, ConfigFile = missing }));
        Assert.Contains(missing, missingError.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(_dataDir);
        var invalid = Path.Combine(_dataDir, "poddle.json");
        File.WriteAllText(invalid, "{ \"MaxRequestBodyBytes\": ");
        var invalidError = Assert.Throws<StartupConfigurationException>(() => Build([]));
        Assert.Contains(invalid, invalidError.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // The test failed before creating it.
        }
    }

    private WebApplication Build(Dictionary<string, string?> settings) =>
        PoddleServer.Build(new ServerStartOptions { DataDir = _dataDir, Urls = "http://127.0.0.1:0", Settings = settings });

    private void SetEnvironment(string name, string value)
    {
        _variables.Add(name);
        Environment.SetEnvironmentVariable(name, value);
    }
}
