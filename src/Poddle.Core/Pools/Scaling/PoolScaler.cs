namespace Poddle.Core.Pools.Scaling;

/// <summary>What a pool scales on: <see cref="QueueDelayScaler"/> or <see cref="RequestCountScaler"/> (RunPod's two scale types).</summary>
public abstract record PoolScaler
{
    /// <summary>The scaler's wire name (<see cref="PoolScalerKinds"/>).</summary>
    public abstract string Kind { get; }
}
