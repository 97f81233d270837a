namespace Poddle.Agent.Alerts;

/// <summary>A problem ("degraded" or "critical") or a recovery ("healthy" again) of one check.</summary>
/// <remarks>Kind: "problem" or "recovery".</remarks>
/// <remarks>Suppressed: Problem alerts of this check withheld by the throttle since the last one sent.</remarks>
public sealed record Alert(
    string Kind,
    string Check,
    string Status,
    string? PreviousStatus,
    double? Value,
    double? Threshold,
    string? Unit,
    string? Message,
    string? PodId,
    string Environment,
    string Hostname,
    DateTimeOffset Timestamp,
    int Suppressed)
{
    /// <summary>One line for people (log, Slack, Discord).</summary>
    public string Text
    {
        get
        {
            var pod = PodId ?? Hostname;
            var measured = Value is { } value
                ? $" ({value:0.##}{Unit}" + (Threshold is { } threshold ? $", threshold {threshold:0.##}{Unit})" : ")")
                : string.Empty;
            var detail = string.IsNullOrWhiteSpace(Message) ? string.Empty : ": " + Message;
            var suppressed = Suppressed > 0 ? $" [{Suppressed} similar alert(s) suppressed]" : string.Empty;
            return Kind == "recovery"
                ? $"[{pod}] RECOVERED {Check}: healthy again (was {PreviousStatus}){measured}"
                : $"[{pod}] {Status.ToUpperInvariant()} {Check}{detail}{measured}" + (PreviousStatus is { } previous && previous != Status ? $" (was {previous})" : string.Empty) + suppressed;
        }
    }
}
