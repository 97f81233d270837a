using Poddle.Agent.Health;
using Poddle.Contracts;

namespace Poddle.Agent.Tests.Support;

/// <summary>
/// A health round that plays back scripted check statuses, one step per round (the last step repeats), and records the
/// app state it was given. Stands in for the real checks so the monitor's own behaviour can be tested.
/// </summary>
public sealed class ScriptedHealthRound(params (string Check, string Status)[][] steps) : IHealthRound
{
    private int _round;

    public List<AgentAppState?> AppStates { get; } = [];

    public int Rounds => _round;

    /// <summary>Makes a round block until cancelled (a hanging check).</summary>
    public bool Hang { get; set; }

    public async Task<AgentHealthReport> RunAsync(AgentAppState? app, CancellationToken cancellationToken)
    {
        lock (AppStates)
        {
            AppStates.Add(app);
        }

        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var step = steps[Math.Min(Interlocked.Increment(ref _round) - 1, steps.Length - 1)];
        var checks = step.Select(s => new AgentCheckResult(s.Check, s.Status, s.Status == "skipped" ? null : 42, 80, "%", s.Status == "healthy" ? null : $"{s.Check} is {s.Status}")).ToList();
        var order = new[] { "healthy", "degraded", "critical" };
        var overall = checks.Where(c => c.Status != "skipped").Select(c => c.Status).MaxBy(s => Array.IndexOf(order, s)) ?? "healthy";
        return new AgentHealthReport(overall, DateTimeOffset.UtcNow, "pod-1", "linux", "host-1", checks, app);
    }
}
