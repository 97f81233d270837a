namespace Poddle.Core.Pools.Scaling;

/// <summary>What a <see cref="ScalingDecision"/> was made from, kept with it for the event and <c>poddle pools get</c>.</summary>
/// <param name="QueuedJobs">Jobs waiting.</param>
/// <param name="OldestQueuedWait">How long the oldest has waited.</param>
/// <param name="InProgressJobs">Jobs held by workers.</param>
/// <param name="Starting">Workers spawning or initializing.</param>
/// <param name="Idle">Workers ready and holding no job.</param>
/// <param name="Busy">Workers holding a job.</param>
/// <param name="Draining">Workers finishing before they stop (not counted as capacity).</param>
/// <param name="Recommended">The scaler's recommendation for now, within min and max, before the windows.</param>
/// <param name="ScaleUpBound">The lowest recommendation of the scale-up window.</param>
/// <param name="ScaleDownBound">The highest recommendation of the scale-down window.</param>
public sealed record ScalingInputs(
    int QueuedJobs,
    TimeSpan OldestQueuedWait,
    int InProgressJobs,
    int Starting,
    int Idle,
    int Busy,
    int Draining,
    int Recommended,
    int ScaleUpBound,
    int ScaleDownBound);
