namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// Scale to one worker per <paramref name="JobsPerWorker"/> jobs queued or in progress (RunPod's "request count" type:
/// <c>ceil((inQueue + inProgress) / n)</c>, default n = 4 there).
/// </summary>
public sealed record RequestCountScaler(int JobsPerWorker) : PoolScaler
{
    public override string Kind => PoolScalerKinds.RequestCount;
}
