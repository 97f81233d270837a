namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// Scale so that no job waits in the queue longer than <paramref name="Target"/> (RunPod's "queue delay" type, default
/// 4 s there). Like RunPod, a queued job with no worker to take it gets one at once; unlike RunPod, when the caller
/// knows the mean job duration the engine adds, ahead of the deadline, the workers that drain the queue within it.
/// </summary>
public sealed record QueueDelayScaler(TimeSpan Target) : PoolScaler
{
    public override string Kind => PoolScalerKinds.QueueDelay;
}
