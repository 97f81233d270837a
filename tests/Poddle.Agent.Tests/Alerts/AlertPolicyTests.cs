using Microsoft.Extensions.Time.Testing;
using Poddle.Agent.Alerts;
using Poddle.Contracts;

namespace Poddle.Agent.Tests.Alerts;

public sealed class AlertPolicyTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Evaluate_FirstHealthyReport_RaisesNothing()
    {
        var policy = new AlertPolicy(TimeSpan.FromMinutes(5), _time);

        Assert.Empty(policy.Evaluate(Report(("cpu", "healthy"), ("gpu0.power", "skipped"))));
    }

    [Fact]
    public void Evaluate_CheckTurnsCriticalThenRecovers_OneProblemThenOneRecovery()
    {
        var policy = new AlertPolicy(TimeSpan.FromMinutes(5), _time);
        policy.Evaluate(Report(("cpu", "healthy")));

        var problem = Assert.Single(policy.Evaluate(Report(("cpu", "critical"))));
        _time.Advance(TimeSpan.FromSeconds(30));
        var recovery = Assert.Single(policy.Evaluate(Report(("cpu", "healthy"))));

        Assert.Equal(("problem", "critical", "healthy"), (problem.Kind, problem.Status, problem.PreviousStatus));
        Assert.Contains("CRITICAL cpu", problem.Text, StringComparison.Ordinal);
        Assert.Equal(("recovery", "healthy", "critical"), (recovery.Kind, recovery.Status, recovery.PreviousStatus));
        Assert.Contains("RECOVERED cpu", recovery.Text, StringComparison.Ordinal);
        Assert.Empty(policy.Evaluate(Report(("cpu", "healthy"))));
    }

    [Fact]
    public void Evaluate_StaysCritical_RemindsOncePerThrottleWindowWithTheSuppressedCount()
    {
        var policy = new AlertPolicy(TimeSpan.FromMinutes(5), _time);
        Assert.Single(policy.Evaluate(Report(("app", "critical"))));

        for (var i = 0; i < 9; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            Assert.Empty(policy.Evaluate(Report(("app", "critical"))));
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        var reminder = Assert.Single(policy.Evaluate(Report(("app", "critical"))));
        Assert.Equal(9, reminder.Suppressed);
        Assert.Contains("9 similar", reminder.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_FlappingCheck_IsThrottledAndRecoversOnlyAfterASentProblem()
    {
        var policy = new AlertPolicy(TimeSpan.FromMinutes(5), _time);
        var alerts = new List<Alert>();
        foreach (var status in new[] { "healthy", "critical", "healthy", "critical", "healthy", "critical" })
        {
            alerts.AddRange(policy.Evaluate(Report(("disk", status))));
            _time.Advance(TimeSpan.FromSeconds(30));
        }

        // The first problem and its recovery; the next two problems fall in the throttle window and so need no recovery.
        Assert.Equal(["problem", "recovery"], alerts.Select(a => a.Kind));
    }

    [Fact]
    public void Evaluate_DegradedThatStays_AlertsOnceOnTheChange()
    {
        var policy = new AlertPolicy(TimeSpan.FromMinutes(5), _time);
        Assert.Single(policy.Evaluate(Report(("memory", "degraded"))));
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Empty(policy.Evaluate(Report(("memory", "degraded"))));
        var worse = Assert.Single(policy.Evaluate(Report(("memory", "critical"))));
        Assert.Equal("degraded", worse.PreviousStatus);
    }

    [Fact]
    public void Evaluate_DegradedThenCriticalWithinTheWindow_TheEscalationIsNotThrottled()
    {
        var policy = new AlertPolicy(TimeSpan.FromMinutes(5), _time);
        Assert.Single(policy.Evaluate(Report(("app", "degraded"))));
        _time.Advance(TimeSpan.FromSeconds(30));

        var critical = Assert.Single(policy.Evaluate(Report(("app", "critical"))));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(("critical", "degraded"), (critical.Status, critical.PreviousStatus));
        // Still critical within the window: a reminder waits for the window.
        Assert.Empty(policy.Evaluate(Report(("app", "critical"))));
        // Down to degraded and back up within the window: the critical alert was sent already.
        Assert.Empty(policy.Evaluate(Report(("app", "degraded"))));
        Assert.Empty(policy.Evaluate(Report(("app", "critical"))));
    }

    [Fact]
    public void Evaluate_ChecksAreThrottledIndependently()
    {
        var policy = new AlertPolicy(TimeSpan.FromMinutes(5), _time);
        Assert.Single(policy.Evaluate(Report(("cpu", "critical"), ("disk", "healthy"))));

        var alerts = policy.Evaluate(Report(("cpu", "critical"), ("disk", "critical")));

        Assert.Equal("disk", Assert.Single(alerts).Check);
    }

    private AgentHealthReport Report(params (string Name, string Status)[] checks) =>
        new("healthy", _time.GetUtcNow(), "pod-7", "runpod", "host", [.. checks.Select(c => new AgentCheckResult(c.Name, c.Status, 91, 80, "%", c.Status == "healthy" ? null : "too high"))]);
}
