using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Pools;

public sealed class PoolCommandsTests : IDisposable
{
    private const string SecretValue = "pool-cli-secret-never-printed";

    private readonly string _directory = Directory.CreateTempSubdirectory("poddle-pools-cli-").FullName;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CreateListGetUpdateScaleRemove_FromAPoolFile(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        using var cli = new CliRunner(server.BaseAddress) { WorkingDirectory = _directory };
        await cli.RegisterAndLoginAsync("alice");
        cli.Variables["HF_TOKEN"] = SecretValue;
        await File.WriteAllTextAsync(Path.Combine(_directory, "poddle-pool.toml"), """
            name = "workers"
            command = "python3 handler.py"
            secrets = ["HF_TOKEN"]
            maxWorkers = 2
            idleTimeout = 30
            budgetPerHour = 2.5

            [env]
            MODE = "prod"

            [scaler]
            type = "requestCount"
            value = 4
            """);

        var created = await cli.RunAsync("pools", "create");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("Created pool workers", created.Stdout, StringComparison.Ordinal);
        Assert.Contains("/v2/", created.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, created.Stdout + created.Stderr, StringComparison.Ordinal);

        var table = await cli.RunAsync("pools", "ls");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("requestCount 4", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("0-2", table.Stdout, StringComparison.Ordinal);

        var json = await cli.RunAsync("pools", "get", "workers", "--json");
        Assert.Equal(0, json.ExitCode);
        var pool = JsonSerializer.Deserialize(json.Stdout, PoddleJsonContext.Default.PoolResponse)!;
        Assert.Equal((30, "prod", "HF_TOKEN"), (pool.IdleTimeout, pool.Env["MODE"], Assert.Single(pool.SecretKeys)));
        Assert.Equal(["/bin/sh", "-c", "python3 handler.py"], pool.Command);
        Assert.Equal(2.5m, pool.BudgetPerHour);
        Assert.Contains("budget $2.50/hr", (await cli.RunAsync("pools", "get", "workers")).Stdout, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_directory, "other.toml"), "ttl = 600\nbudgetPerHour = 1\n");
        var updated = await cli.RunAsync("pools", "update", "workers", "--file", "other.toml", "--json");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        var after = JsonSerializer.Deserialize(updated.Stdout, PoddleJsonContext.Default.PoolResponse)!;
        Assert.Equal((600, 1m), (after.Ttl, after.BudgetPerHour));

        var scaled = await cli.RunAsync("pools", "scale", "workers", "--min", "1");
        Assert.True(scaled.ExitCode == 0, scaled.ToString());
        Assert.Contains("1-2 workers", scaled.Stdout, StringComparison.Ordinal);

        var removed = await cli.RunAsync("pools", "rm", "workers", "--yes");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Empty(JsonSerializer.Deserialize((await cli.RunAsync("pools", "ls", "--json")).Stdout, PoddleJsonContext.Default.IReadOnlyListPoolResponse)!);
    }

    [Fact]
    public async Task Errors_SayWhatToDo_WithNamedExitCodes()
    {
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite);
        using var cli = new CliRunner(server.BaseAddress) { WorkingDirectory = _directory };
        await cli.RegisterAndLoginAsync("alice");

        var noFile = await cli.RunAsync("pools", "create");
        await File.WriteAllTextAsync(Path.Combine(_directory, "poddle-pool.toml"), "name = \"w\"\ncommand = [\"python3\"]\nmaxWorkers = 0\n");
        var invalid = await cli.RunAsync("pools", "create");
        var missing = await cli.RunAsync("pools", "scale", "nope", "--max", "1");
        var noBounds = await cli.RunAsync("pools", "scale", "nope");

        Assert.Equal(2, noFile.ExitCode);
        Assert.Contains("poddle-pool.toml", noFile.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("maxWorkers", invalid.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("poddle pools ls", missing.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, noBounds.ExitCode);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
