using Poddle.Cli.Configuration;

namespace Poddle.Cli.Tests.Configuration;

public sealed class CliConfigStoreTests
{
    [Fact]
    public void SaveThenLoad_RoundTripsAndKeepsTheSecretPrivate()
    {
        var root = Path.Combine(Path.GetTempPath(), "poddle-store-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var store = new CliConfigStore(Path.Combine(root, "poddle"));
            var config = new CliConfig("http://localhost:8080", "pdl_secret", Guid.NewGuid(), "cli@host", "alice");

            store.Save(config);
            store.Save(config with { Username = "alice2" });

            Assert.Equal(config with { Username = "alice2" }, store.Load());
            Assert.Equal([store.FilePath], Directory.GetFiles(store.Directory));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Load_NoFile_IsEmptyConfig()
    {
        var store = new CliConfigStore(Path.Combine(Path.GetTempPath(), "poddle-none-" + Guid.NewGuid().ToString("N")[..12]));

        Assert.Equal(new CliConfig(), store.Load());
    }

    [Fact]
    public void DefaultConfigDirectory_PrefersPoddleConfigDirThenXdg()
    {
        Assert.Equal("/etc/custom", CliEnvironment.DefaultConfigDirectory(new Dictionary<string, string> { ["PODDLE_CONFIG_DIR"] = "/etc/custom", ["XDG_CONFIG_HOME"] = "/xdg" }));
        Assert.Equal(Path.Combine("/xdg", "poddle"), CliEnvironment.DefaultConfigDirectory(new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = "/xdg" }));
        Assert.EndsWith(Path.Combine(".config", "poddle"), CliEnvironment.DefaultConfigDirectory(new Dictionary<string, string>()), StringComparison.Ordinal);
    }
}
