namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// Something the pool's controller did or decided: a worker transition (<see cref="PoolEventKinds.Worker"/>: worker,
/// from → to, reason) or a scaling decision (<see cref="PoolEventKinds.Decision"/>: rule, message, inputs as JSON). The
/// most recent ones show in <c>GET /api/pools/{id}</c> (<c>poddle pools get</c>); older ones are trimmed.
/// </summary>
public sealed class PoolEvent
{
    public Guid Id { get; init; }

    public Guid PoolId { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>A <see cref="PoolEventKinds"/> value.</summary>
    public required string Kind { get; init; }

    /// <summary>The worker a transition is about; null for a decision.</summary>
    public string? WorkerId { get; init; }

    /// <summary>A transition's reason, or a decision's rule (<see cref="Scaling.ScalingRules"/>).</summary>
    public required string Reason { get; init; }

    /// <summary>What happened, for people: "idle → running", "spawn 2 (desired 3)".</summary>
    public required string Message { get; init; }

    /// <summary>A decision's <see cref="Scaling.ScalingInputs"/> as JSON; null for a transition.</summary>
    public string? InputsJson { get; init; }
}
