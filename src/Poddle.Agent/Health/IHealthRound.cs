using Poddle.Contracts;

namespace Poddle.Agent.Health;

/// <summary>
/// One round of health checks (the app's endpoint, CPU, memory, disk, GPU) that yields a report. The agent's loop
/// runs one every period and acts on the result (report file, alerts, heartbeat); `poddle agent check` runs one.
/// Implementations keep what spans rounds (consecutive failures of the app check).
/// </summary>
public interface IHealthRound
{
    /// <summary>Runs every check once. Never throws for a failing check: a failure is a check result.</summary>
    /// <param name="app">The supervised app's state, copied into the report; null when there is none.</param>
    /// <param name="cancellationToken">Stops the round.</param>
    Task<AgentHealthReport> RunAsync(AgentAppState? app, CancellationToken cancellationToken);
}
