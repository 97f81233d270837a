using Poddle.Agent.Options;
using Poddle.Agent.Supervisor;
using Poddle.Agent.Tests.Support;
using Poddle.Drivers.Abstractions.Webhooks;

namespace Poddle.Agent.Tests.Options;

public sealed class AgentOptionsBuilderTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Build_NothingGiven_UsesTheDocumentedDefaults()
    {
        var options = Build([], [], null)!;

        Assert.Equal(RestartPolicy.OnFailure, options.Restart);
        Assert.Equal(TimeSpan.FromSeconds(1), options.RestartDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), options.RestartMaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), options.GracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Period);
        Assert.Equal(TimeSpan.FromMinutes(5), options.AlertThrottle);
        Assert.Equal("/tmp/pod-optimization-status.json", options.StatusFile);
        Assert.Equal("/tmp/health-report.json", options.ReportFile);
        Assert.Equal((65536, 4096, 10), (options.OpenFiles, options.Somaxconn, options.Swappiness));
        Assert.Null(options.Server);
    }

    [Fact]
    public void Build_SameOptionEverywhere_FlagBeatsVariableBeatsFile()
    {
        var config = _directory.File("agent.json");
        File.WriteAllText(config, """{ "period": "5s", "restart": "always", "grace-period": 3, "webhook": ["slack=https://hooks.slack.com/a"] }""");
        var variables = new Dictionary<string, string> { ["PODDLE_AGENT_CONFIG"] = config, ["PODDLE_AGENT_PERIOD"] = "7s", ["PODDLE_AGENT_RESTART"] = "never" };

        var options = Build(new() { ["period"] = ["9s"] }, variables, null)!;

        Assert.Equal(TimeSpan.FromSeconds(9), options.Period);
        Assert.Equal(RestartPolicy.Never, options.Restart);
        Assert.Equal(TimeSpan.FromSeconds(3), options.GracePeriod);
        Assert.Equal(WebhookFormat.Slack, Assert.Single(options.Webhooks).Format);
    }

    [Fact]
    public void Build_ListVariables_AreSemicolonSeparated()
    {
        var options = Build([], new() { ["PODDLE_AGENT_REQUIRE_FREE_PORT"] = "8080; 9090", ["PODDLE_AGENT_WEBHOOK"] = "https://a.example/x;discord=https://b.example/y" }, null)!;

        Assert.Equal([8080, 9090], options.RequireFreePorts);
        Assert.Equal([WebhookFormat.Json, WebhookFormat.Discord], options.Webhooks.Select(w => w.Format));
    }

    [Fact]
    public void Build_ServerAndToken_ComeFromTheirVariables()
    {
        var options = Build([], new() { ["PODDLE_SERVER"] = "https://poddle.example", ["PODDLE_AGENT_TOKEN"] = "t" }, null)!;

        Assert.Equal(new Uri("https://poddle.example"), options.Server);
        Assert.Equal("t", options.AgentToken);
    }

    [Fact]
    public void Build_BadValues_EveryErrorNamesItsOption()
    {
        var config = _directory.File("bad.json");
        File.WriteAllText(config, """{ "perod": "5s" }""");

        var options = AgentOptionsBuilder.Build(
            new Dictionary<string, IReadOnlyList<string>> { ["restart"] = ["sometimes"], ["period"] = ["soon"], ["require-free-port"] = ["70000"], ["webhook"] = ["teams=https://x"] },
            new Dictionary<string, string> { ["PODDLE_AGENT_GRACE_PERIOD"] = "-1s", ["PODDLE_SERVER"] = "not a url" },
            config,
            [],
            out var errors);

        Assert.Null(options);
        Assert.Contains(errors, e => e.StartsWith("--restart / PODDLE_AGENT_RESTART:", StringComparison.Ordinal) && e.Contains("sometimes", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--period / PODDLE_AGENT_PERIOD:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--require-free-port", StringComparison.Ordinal) && e.Contains("70000", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--webhook", StringComparison.Ordinal) && e.Contains("teams", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--grace-period / PODDLE_AGENT_GRACE_PERIOD:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("PODDLE_SERVER:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown option \"perod\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("app command: missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_MaxDelayBelowDelay_IsRefused()
    {
        Assert.Null(AgentOptionsBuilder.Build(new Dictionary<string, IReadOnlyList<string>> { ["restart-delay"] = ["10s"], ["restart-max-delay"] = ["5s"] }, new Dictionary<string, string>(), null, ["app"], out var errors));
        Assert.Contains("--restart-max-delay", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2.5", 2_500)]
    public void TryParseDuration_Units_AreUnderstood(string text, double milliseconds)
    {
        Assert.True(AgentOptionsBuilder.TryParseDuration(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-3s")]
    [InlineData("5d")]
    public void TryParseDuration_Nonsense_IsRefused(string text) => Assert.False(AgentOptionsBuilder.TryParseDuration(text, out _));

    private static AgentOptions? Build(Dictionary<string, IReadOnlyList<string>> flags, Dictionary<string, string> variables, string? config)
    {
        var options = AgentOptionsBuilder.Build(flags, variables, config, ["python3", "app.py"], out var errors);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        return options;
    }
}
