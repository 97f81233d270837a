using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Commands.Accounts;

public sealed class TwoFactorCommandTests
{
    private const string Password = "correct-horse-battery";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task TwoFactor_EnableInTwoRuns_LoginNeedsACode_DisableWithARecoveryCode(DatabaseProvider provider)
    {
        await using var server = await TestServer.StartAsync(provider);
        using var cli = new CliRunner(server.BaseAddress);
        await cli.RegisterAndLoginAsync("alice", Password);

        var setupRun = await cli.RunWithInputAsync(Password + "\n", "2fa", "enable", "--password-stdin", "--json");
        Assert.True(setupRun.ExitCode == 0, setupRun.ToString());
        var setup = JsonSerializer.Deserialize(setupRun.Stdout, PoddleJsonContext.Default.TwoFactorSetupResponse)!;
        var step = TotpCalculator.StepAt(DateTimeOffset.UtcNow);
        var enabled = await cli.RunAsync("2fa", "enable", "--code", TotpCalculator.CodeAt(setup.Secret, step));
        Assert.True(enabled.ExitCode == 0, enabled.ToString());
        Assert.Contains("Two-factor sign-in is on", enabled.Stdout, StringComparison.Ordinal);
        var recovery = enabled.Stdout.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.Length == 19 && l.Count(c => c == '-') == 3).ToList();
        Assert.Equal(10, recovery.Count);
        var status = JsonSerializer.Deserialize((await cli.RunAsync("2fa", "status", "--json")).Stdout, PoddleJsonContext.Default.TwoFactorStatusResponse)!;
        Assert.Equal(new TwoFactorStatusResponse(true, false, 10), status);

        // Not in a terminal and no code: a usage error that names the options.
        var noCode = await cli.RunWithInputAsync(Password + "\n", "login", "-u", "alice", "--password-stdin");
        Assert.Equal(2, noCode.ExitCode);
        Assert.Contains("--code", noCode.Stderr, StringComparison.Ordinal);
        var wrongCode = await cli.RunWithInputAsync(Password + "\n", "login", "-u", "alice", "--password-stdin", "--code", "12345x");
        Assert.Equal(1, wrongCode.ExitCode);
        Assert.Contains("two-factor code is wrong", wrongCode.Stderr, StringComparison.Ordinal);

        var login = await cli.RunWithInputAsync(Password + "\n", "login", "-u", "alice", "--password-stdin", "--code", TotpCalculator.CodeAt(setup.Secret, step + 1));
        Assert.True(login.ExitCode == 0, login.ToString());
        var withRecovery = await cli.RunWithInputAsync(Password + "\n", "login", "-u", "alice", "--password-stdin", "--recovery-code", recovery[1]);
        Assert.True(withRecovery.ExitCode == 0, withRecovery.ToString());

        var disabled = await cli.RunWithInputAsync(Password + "\n", "2fa", "disable", "--password-stdin", "--recovery-code", recovery[2]);
        Assert.True(disabled.ExitCode == 0, disabled.ToString());
        Assert.Equal(0, (await cli.RunWithInputAsync(Password + "\n", "login", "-u", "alice", "--password-stdin")).ExitCode);
    }
}
