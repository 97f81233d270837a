using Poddle.Agent.Options;

namespace Poddle.Cli.Tests.Commands.Pods;

/// <summary>`poddle agent` in process: its help and its option errors (the runs themselves are in Agent/, as real processes).</summary>
public sealed class AgentCommandOptionsTests
{
    [Fact]
    public async Task Help_DocumentsEveryOptionWithItsVariable()
    {
        using var cli = new CliRunner();

        var run = await cli.RunAsync("agent", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var spec in AgentOptionsBuilder.Specs)
        {
            Assert.Contains(spec.Flag, run.Stdout, StringComparison.Ordinal);
            Assert.Contains(spec.Variable, run.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("PODDLE_AGENT_CONFIG", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadOptionsOrNoCommand_ExitWith2NamingEachOne()
    {
        using var cli = new CliRunner();
        cli.Variables["PODDLE_AGENT_ALERT_THROTTLE"] = "sometimes";

        var run = await cli.RunAsync("agent", "--grace-period", "-2s");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--grace-period / PODDLE_AGENT_GRACE_PERIOD: '-2s'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--alert-throttle / PODDLE_AGENT_ALERT_THROTTLE: 'sometimes'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("app command: missing", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "agent", "--interval", "1", "--", "app" }, "unknown option '--interval'")]
    [InlineData(new[] { "agent", "--skip-tunin", "--", "app" }, "unknown option '--skip-tunin' for 'poddle agent'. Did you mean '--skip-tuning'?")]
    [InlineData(new[] { "agent", "--perod", "5s", "python3", "app.py" }, "Did you mean '--period'?")]
    [InlineData(new[] { "agent", "--period", "5s", "stray", "--", "app" }, "unexpected 'stray' before `--`")]
    public async Task Run_UnknownOptionBeforeTheAppCommand_IsAUsageErrorNamingIt(string[] args, string expected)
    {
        using var cli = new CliRunner();
        cli.Variables["PODDLE_AGENT_SKIP_TUNING"] = "true"; // should the check fail, the agent must not tune this machine

        var run = await cli.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not found", run.Stderr, StringComparison.Ordinal); // never taken for the app's command
    }
}
