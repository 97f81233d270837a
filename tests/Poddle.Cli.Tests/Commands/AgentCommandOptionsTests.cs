using Poddle.Agent.Options;

namespace Poddle.Cli.Tests.Commands;

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
}
