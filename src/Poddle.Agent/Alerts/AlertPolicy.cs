using Poddle.Contracts;

namespace Poddle.Agent.Alerts;

/// <summary>
/// Decides which alerts a report raises. A check alerts when it turns degraded or critical, and again while it stays
/// critical; problem alerts of one check are throttled to one per <c>throttle</c> (the next one sent says how many were
/// withheld), except that a check turning critical is always alerted unless a critical alert of it was already sent
/// within the window (a degraded alert must not hide the escalation). When a check whose problem was alerted turns healthy, a recovery alert is sent (never throttled: it
/// follows at most one per problem alert). "skipped" carries no news and is ignored. The first report of a healthy
/// check raises nothing.
/// </summary>
public sealed class AlertPolicy(TimeSpan throttle, TimeProvider time)
{
    private readonly Dictionary<string, CheckHistory> _checks = new(StringComparer.Ordinal);

    /// <summary>The alerts <paramref name="report"/> raises, in check order.</summary>
    public IReadOnlyList<Alert> Evaluate(AgentHealthReport report)
    {
        var now = time.GetUtcNow();
        var alerts = new List<Alert>();
        foreach (var check in report.Checks)
        {
            if (check.Status == HealthStatuses.Skipped)
            {
                continue;
            }

            if (!_checks.TryGetValue(check.Name, out var history))
            {
                history = new CheckHistory();
                _checks[check.Name] = history;
            }

            var previous = history.Status;
            history.Status = check.Status;
            if (check.Status == HealthStatuses.Healthy)
            {
                if (history.ProblemAlerted && previous is not null && previous != HealthStatuses.Healthy)
                {
                    history.ProblemAlerted = false;
                    alerts.Add(Create("recovery", check, previous, report, now, 0));
                }

                continue;
            }

            var changed = previous != check.Status;
            if (!changed && check.Status != HealthStatuses.Critical)
            {
                continue;
            }

            var escalation = check.Status == HealthStatuses.Critical && previous != HealthStatuses.Critical
                && (history.LastCriticalAlert is not { } lastCritical || now - lastCritical >= throttle);
            if (!escalation && history.LastProblemAlert is { } last && now - last < throttle)
            {
                history.Suppressed++;
                continue;
            }

            alerts.Add(Create("problem", check, previous, report, now, history.Suppressed));
            history.LastProblemAlert = now;
            if (check.Status == HealthStatuses.Critical)
            {
                history.LastCriticalAlert = now;
            }

            history.Suppressed = 0;
            history.ProblemAlerted = true;
        }

        return alerts;
    }

    private static Alert Create(string kind, AgentCheckResult check, string? previous, AgentHealthReport report, DateTimeOffset now, int suppressed) =>
        new(kind, check.Name, check.Status, previous, check.Value, check.Threshold, check.Unit, check.Message, report.PodId, report.Environment, report.Hostname, now, suppressed);

    private sealed class CheckHistory
    {
        public string? Status { get; set; }

        public DateTimeOffset? LastProblemAlert { get; set; }

        public DateTimeOffset? LastCriticalAlert { get; set; }

        public int Suppressed { get; set; }

        public bool ProblemAlerted { get; set; }
    }
}
