using Poddle.Agent.Monitoring;
using Poddle.Agent.Tuning;
using Poddle.Contracts;

namespace Poddle.Agent.Tests.Monitoring;

public sealed class SupervisedAppHealthRoundTests
{
    [Theory]
    [InlineData("running", "healthy", "healthy")]
    [InlineData("starting", "skipped", "healthy")]
    [InlineData("stopped", "skipped", "healthy")]
    [InlineData("backoff", "critical", "critical")]
    [InlineData("exited", "critical", "critical")]
    public async Task RunAsync_AppState_MapsToTheProcessCheck(string state, string check, string overall)
    {
        var round = new SupervisedAppHealthRound(new PodEnvironment("kubernetes", "web-1", "web-1"), TimeProvider.System);
        var app = new AgentAppState(state, state == "running" ? 10 : null, 2, 1, null);

        var report = await round.RunAsync(app, CancellationToken.None);

        Assert.Equal(check, Assert.Single(report.Checks).Status);
        Assert.Equal(overall, report.Status);
        Assert.Equal(("web-1", "kubernetes"), (report.PodId, report.Environment));
        Assert.Same(app, report.App);
    }
}
