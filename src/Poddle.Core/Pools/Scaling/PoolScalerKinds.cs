namespace Poddle.Core.Pools.Scaling;

/// <summary>Wire names of the scalers (stable, camelCase as the pool file and API spell them).</summary>
public static class PoolScalerKinds
{
    public const string QueueDelay = "queueDelay";
    public const string RequestCount = "requestCount";
}
