using System.Net;
using System.Text.Json;
using Poddle.Cli.Configuration;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Accounts;

public sealed class AuthCommandsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RegisterLoginWhoamiLogout_StoresRevocableTokenAndForgetsIt(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        using var cli = new CliRunner(server.BaseAddress);

        var login = await cli.RegisterAndLoginAsync("alice");
        Assert.Contains("Logged in to", login.Stdout, StringComparison.Ordinal);
        Assert.Contains("alice", login.Stdout, StringComparison.Ordinal);

        var config = JsonSerializer.Deserialize(await File.ReadAllTextAsync(cli.ConfigFile), CliJsonContext.Default.CliConfig)!;
        Assert.StartsWith("pdl_", config.Token, StringComparison.Ordinal);
        Assert.Equal($"cli@{CliRunner.MachineName}", config.TokenName);
        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), config.Server);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.ConfigFile));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cli.ConfigDirectory));
        }

        var whoami = await cli.RunAsync("whoami");
        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains("alice@example.test", whoami.Stdout, StringComparison.Ordinal);

        // The stored API token works against the API directly, and login left no password session behind.
        using (var api = server.CreateClient(config.Token))
        {
            var sessions = JsonSerializer.Deserialize(await api.GetStringAsync("/api/users/me/sessions"), PoddleJsonContext.Default.IReadOnlyListSessionResponse)!;
            Assert.Empty(sessions);
        }

        var logout = await cli.RunAsync("logout");
        Assert.Equal(0, logout.ExitCode);
        Assert.Contains("Logged out", logout.Stdout, StringComparison.Ordinal);
        using (var api = server.CreateClient(config.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/auth/me")).StatusCode);
        }

        var after = JsonSerializer.Deserialize(await File.ReadAllTextAsync(cli.ConfigFile), CliJsonContext.Default.CliConfig)!;
        Assert.Null(after.Token);
        var whoamiAfter = await cli.RunAsync("whoami");
        Assert.Equal(1, whoamiAfter.ExitCode);
        Assert.Contains("poddle login", whoamiAfter.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_Again_ReplacesTheEarlierCliToken()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var again = await cli.RunWithInputAsync("correct-horse-battery\n", "login", "-u", "alice", "--password-stdin");
        Assert.Equal(0, again.ExitCode);

        var tokens = await cli.RunAsync("tokens", "ls", "--json");
        Assert.Single(JsonSerializer.Deserialize(tokens.Stdout, PoddleJsonContext.Default.IReadOnlyListApiTokenResponse)!);
    }

    [Fact]
    public async Task Login_WrongPassword_ExitsOneAndSaysSo()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunWithInputAsync("not-the-password\n", "login", "--username", "alice", "--password-stdin");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Wrong user name, email or password", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Whoami_RevokedToken_Is401AndSaysRunPoddleLogin()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");
        var config = JsonSerializer.Deserialize(await File.ReadAllTextAsync(cli.ConfigFile), CliJsonContext.Default.CliConfig)!;
        using (var api = server.CreateClient(config.Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/tokens/{config.TokenId}")).StatusCode);
        }

        var run = await cli.RunAsync("whoami");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Run `poddle login`", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_NoPasswordStdinWhenNotInteractive_IsUsageError()
    {
        using var cli = new CliRunner(new Uri("http://127.0.0.1:9"));

        var run = await cli.RunAsync("login", "--username", "alice");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--password-stdin", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_InvalidFields_ListsEachField()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);

        var run = await cli.RunWithInputAsync("short\n", "register", "--username", "Not Valid", "--email", "nope", "--password-stdin");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("username:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("email:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_WhenNotLoggedIn_SucceedsAndSaysSo()
    {
        using var cli = new CliRunner(new Uri("http://127.0.0.1:9"));

        var run = await cli.RunAsync("logout");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Not logged in", run.Stdout, StringComparison.Ordinal);
    }
}
