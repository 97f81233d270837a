namespace Poddle.Core.Pools;

/// <summary>One answer of /stream: the job, the chunks handed out now, and whether more are left to hand out.</summary>
public sealed record PoolJobStreamRead(PoolJob Job, IReadOnlyList<PoolJobStreamChunk> Chunks, bool More)
{
    /// <summary>The status to report: a final job with chunks left reads as running until the last ones are out.</summary>
    public string Status => More ? PoolJobStatuses.InProgress : Job.Status;
}
