using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests;

public sealed class CliAppTests
{
    [Theory]
    [InlineData("bogus")]
    [InlineData("projects")]
    [InlineData("projects", "create")]
    [InlineData("projects", "ls", "--no-such-option")]
    [InlineData("tokens", "create", "ci", "--expires-in-days", "soon")]
    public async Task BadCommandLine_ExitsTwoWithUsageHint(params string[] args)
    {
        using var cli = new CliRunner();

        var run = await cli.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Contains("--help", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "projets", "ls" }, "'projets' is not a command of 'poddle'. Did you mean 'projects'?")]
    [InlineData(new[] { "porjects" }, "Did you mean 'projects'?")]
    [InlineData(new[] { "projects", "lss" }, "'lss' is not a command of 'poddle projects'. Did you mean 'ls'?")]
    [InlineData(new[] { "projects", "ls", "--jsn" }, "unknown option '--jsn' for 'poddle projects ls'. Did you mean '--json'?")]
    [InlineData(new[] { "deploy", "--replcas", "2" }, "Did you mean '--replicas'?")]
    [InlineData(new[] { "whoami", "extra" }, "unexpected argument 'extra' for 'poddle whoami'.")]
    [InlineData(new[] { "projects" }, "'poddle projects' needs a command: ls, create, rm.")]
    [InlineData(new[] { "deploy", "--replcas" }, "unknown option '--replcas' for 'poddle deploy'. Did you mean '--replicas'?")]
    public async Task Typo_SaysWhatWasMeantOnce_ExitsTwo(string[] args, string expected)
    {
        using var cli = new CliRunner();

        var run = await cli.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, run.Stderr.Split("error:").Length - 1); // one error, not one per word after the typo
        Assert.DoesNotContain("Required command was not provided", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ExitsZeroAndListsCommands()
    {
        using var cli = new CliRunner();

        var run = await cli.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "serve", "register", "login", "logout", "whoami", "projects", "tokens" })
        {
            Assert.Contains(command, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnreachableServer_ExitsOneAndSaysHowToStartOne()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";
        using var cli = new CliRunner();

        var run = await cli.RunWithInputAsync("correct-horse-battery\n", "register", "-u", "alice", "--email", "a@example.test", "--password-stdin", "--server", url);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"No Poddle server at {url}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("poddle serve", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--server", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableServer_WithJson_KeepsStdoutEmpty()
    {
        using var cli = new CliRunner();
        cli.Variables["PODDLE_TOKEN"] = "pdl_whatever";

        var run = await cli.RunAsync("projects", "ls", "--json", "--server", $"http://127.0.0.1:{ClosedPort()}");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Contains("No Poddle server", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerVariable_IsUsedWhenNoServerOptionIsGiven()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";
        using var cli = new CliRunner();
        cli.Variables["PODDLE_SERVER"] = url;
        cli.Variables["PODDLE_TOKEN"] = "pdl_whatever";

        var run = await cli.RunAsync("whoami");

        Assert.Contains($"No Poddle server at {url}", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadServerUrl_IsUsageError()
    {
        using var cli = new CliRunner();

        var run = await cli.RunAsync("whoami", "--server", "ftp://example.test");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not a server URL", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoredToken_IsNotSentToAnotherServer()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");
        var other = $"http://127.0.0.1:{ClosedPort()}";

        // Without --server the stored server is used; naming another server means not logged in there.
        using var bare = new CliRunner(server: null, configDirectory: cli.ConfigDirectory);
        var stored = await bare.RunAsync("whoami");
        var elsewhere = await bare.RunAsync("whoami", "--server", other);

        Assert.True(stored.ExitCode == 0, stored.ToString());
        Assert.Equal(1, elsewhere.ExitCode);
        Assert.Contains($"Not logged in to {other}", elsewhere.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoColor_OutputHasNoEscapeSequences()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunAsync("projects", "create", "plain", "--no-color");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("\u001b[", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptConfig_ExitsOneAndSaysWhatToDelete()
    {
        using var cli = new CliRunner(new Uri("http://127.0.0.1:9"));
        Directory.CreateDirectory(cli.ConfigDirectory);
        await File.WriteAllTextAsync(cli.ConfigFile, "{ not json");

        var run = await cli.RunAsync("whoami");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(cli.ConfigFile, run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A port nothing listens on (it was free a moment ago).</summary>
    internal static int ClosedPort() => FreePort.Next();
}
