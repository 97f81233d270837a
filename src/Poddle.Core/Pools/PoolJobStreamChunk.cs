namespace Poddle.Core.Pools;

/// <summary>
/// One partial output a worker streamed for a job (RUNPOD_WEBHOOK_POST_STREAM), in order. /stream hands each chunk
/// out once (RunPod's clients keep asking until the job is final and yield every chunk they get).
/// </summary>
public sealed class PoolJobStreamChunk
{
    public Guid JobId { get; init; }

    /// <summary>0, 1, 2 ... per job, in the order the worker posted them.</summary>
    public int Sequence { get; init; }

    /// <summary>The chunk's <c>output</c> as JSON text.</summary>
    public required string OutputJson { get; init; }

    /// <summary>Handed out by /stream already.</summary>
    public bool Delivered { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}
