using System.Net;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Tokens;

public sealed class TokenCommandsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateListRevoke_TokenWorksUntilRevoked(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var created = await cli.RunAsync("tokens", "create", "ci", "--expires-in-days", "7", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var token = JsonSerializer.Deserialize(created.Stdout, PoddleJsonContext.Default.CreatedApiTokenResponse)!;
        Assert.StartsWith("pdl_", token.Token, StringComparison.Ordinal);
        Assert.NotNull(token.ExpiresAt);

        var table = await cli.RunAsync("tokens", "ls");
        Assert.Contains("ci", table.Stdout, StringComparison.Ordinal);
        Assert.Contains($"cli@{CliRunner.MachineName} (this CLI)", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token, table.Stdout, StringComparison.Ordinal);

        using (var api = server.CreateClient(token.Token))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/projects")).StatusCode);
        }

        var revoked = await cli.RunAsync("tokens", "revoke", "ci");
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        using (var api = server.CreateClient(token.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/projects")).StatusCode);
        }

        var remaining = JsonSerializer.Deserialize((await cli.RunAsync("tokens", "ls", "--json")).Stdout, PoddleJsonContext.Default.IReadOnlyListApiTokenResponse)!;
        Assert.Equal([$"cli@{CliRunner.MachineName}"], remaining.Select(t => t.Name));
    }

    [Fact]
    public async Task Create_Human_PrintsTheTokenOnItsOwnLine()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunAsync("tokens", "create", "deploy");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.Stdout.Split('\n'), line => line.StartsWith("pdl_", StringComparison.Ordinal));
        Assert.Contains("not shown again", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_UnknownId_ExitsOne()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice");

        var run = await cli.RunAsync("tokens", "revoke", Guid.NewGuid().ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("poddle tokens ls", run.Stderr, StringComparison.Ordinal);
    }
}
