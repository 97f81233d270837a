namespace Poddle.Core.Pools.Runtime;

/// <summary>The reasons of <see cref="PoolEventKinds.Capacity"/> events (wire values, kebab-case).</summary>
public static class CapacityReasons
{
    /// <summary>The first candidates had no machine; the worker started at a later GPU or cloud type.</summary>
    public const string FellBack = "fell-back";

    /// <summary>No candidate had a machine: no worker started, the pool backs off before it tries again.</summary>
    public const string Exhausted = "no-capacity";
}
