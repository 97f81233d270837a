using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Admin;

public sealed class AdminUsersCommandTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task AdminUsers_ListSetRoleAndTierDisableEnableResetPassword(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        using var admin = new CliRunner(server.BaseAddress);
        using var alice = new CliRunner(server.BaseAddress);
        await alice.RegisterAndLoginAsync("alice");
        Assert.Equal(0, (await admin.RunWithInputAsync(TestServer.AdminPassword + "\n", "login", "-u", TestServer.AdminUsername, "--password-stdin")).ExitCode);

        var listed = await admin.RunAsync("admin", "users", "ls", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var users = JsonSerializer.Deserialize(listed.Stdout, PoddleJsonContext.Default.UserListResponse)!;
        Assert.Equal(["admin", "alice"], users.Users.Select(u => u.Username));
        Assert.True(users.Users[0].EmailVerified);
        var table = await admin.RunAsync("admin", "users", "ls");
        Assert.Contains("alice@example.test", table.Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await admin.RunAsync("admin", "users", "set-tier", "alice", "pro")).ExitCode);
        var role = await admin.RunAsync("admin", "users", "set-role", "alice@example.test", "teacher", "--json");
        Assert.Equal(("teacher", "pro"), ValueOf(role));
        var badRole = await admin.RunAsync("admin", "users", "set-role", "alice", "overlord");
        Assert.Equal(2, badRole.ExitCode);

        var disabled = await admin.RunAsync("admin", "users", "disable", "alice");
        Assert.True(disabled.ExitCode == 0, disabled.ToString());
        Assert.Contains("Disabled alice", disabled.Stdout, StringComparison.Ordinal);
        var refused = await alice.RunAsync("whoami");
        Assert.Equal(1, refused.ExitCode);
        var signIn = await alice.RunWithInputAsync("correct-horse-battery\n", "login", "-u", "alice", "--password-stdin");
        Assert.Equal(1, signIn.ExitCode);
        Assert.Contains("disabled", signIn.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await admin.RunAsync("admin", "users", "enable", "alice")).ExitCode);
        Assert.Equal(0, (await alice.RunAsync("whoami")).ExitCode);

        var reset = await admin.RunAsync("admin", "users", "reset-password", "alice");
        Assert.True(reset.ExitCode == 0, reset.ToString());
        var generated = reset.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Assert.Equal(0, (await alice.RunWithInputAsync(generated + "\n", "login", "-u", "alice", "--password-stdin")).ExitCode);

        var asMember = await alice.RunAsync("admin", "users", "ls");
        Assert.Equal(1, asMember.ExitCode);
        Assert.Contains("Not allowed", asMember.Stderr, StringComparison.Ordinal);
        var unknown = await admin.RunAsync("admin", "users", "disable", "nobody");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("poddle admin users ls", unknown.Stderr, StringComparison.Ordinal);
    }

    private static (string Role, string Tier) ValueOf(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        var user = JsonSerializer.Deserialize(run.Stdout, PoddleJsonContext.Default.UserResponse)!;
        return (user.Role, user.Tier);
    }
}
