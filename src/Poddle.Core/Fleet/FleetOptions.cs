namespace Poddle.Core.Fleet;

/// <summary>The fleet reconciliation's settings (section "Fleet", checked by <see cref="FleetOptionsValidator"/>; docs/fleet.md).</summary>
public sealed class FleetOptions
{
    public const string SectionName = "Fleet";

    /// <summary>How often the leader compares every driver's Poddle-labelled pods with the database (and once at start).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an orphan is kept (alerted, not touched) before it is terminated; also how long a pod whose row points at
    /// another pod (a pod being created right now) is given before it counts as an orphan.
    /// </summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether orphans are terminated after <see cref="OrphanGrace"/> (false: alert only, an operator decides).</summary>
    public bool TerminateOrphans { get; set; } = true;
}
