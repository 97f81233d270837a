namespace Poddle.Core.Pools.Runtime;

/// <summary>Wire names of <see cref="PoolEvent.Kind"/>.</summary>
public static class PoolEventKinds
{
    public const string Worker = "worker";

    public const string Decision = "decision";

    /// <summary>Billing suspended or resumed the pool (its owner's balance; docs/billing.md).</summary>
    public const string Billing = "billing";

    /// <summary>A fleet reconciliation's finding about the pool (an orphan worker pod, a worker's pod gone at the provider; docs/fleet.md).</summary>
    public const string Fleet = "fleet";

    /// <summary>A GPU worker's placement after a capacity refusal, or no capacity anywhere and the back-off (docs/pools.md "GPU pools").</summary>
    public const string Capacity = "capacity";
}
