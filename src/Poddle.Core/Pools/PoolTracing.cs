using System.Diagnostics;

namespace Poddle.Core.Pools;

/// <summary>
/// OpenTelemetry traces of serverless jobs (an <see cref="ActivitySource"/>: any OpenTelemetry SDK or
/// <see cref="ActivityListener"/> that listens to <see cref="SourceName"/> gets them; none is paid for when nobody
/// listens). A job's spans come from several requests (the client's submit, a worker's take, its result), so the
/// submit span's W3C trace context is kept on the job row (<see cref="PoolJob.TraceParent"/>) and every later span is
/// its child: submit → queued (the wait, from queued to taken) → taken by worker → result posted, one trace.
/// </summary>
public static class PoolTracing
{
    public const string SourceName = "Poddle.Pools";

    /// <summary>Span names (wire values: dashboards select by them).</summary>
    public const string Submit = "pool.job.submit";
    public const string Queued = "pool.job.queued";
    public const string Take = "pool.job.take";
    public const string Result = "pool.job.result";

    /// <summary>Attribute names.</summary>
    public const string PoolIdTag = "poddle.pool.id";
    public const string JobIdTag = "poddle.job.id";
    public const string WorkerIdTag = "poddle.worker.id";
    public const string StatusTag = "poddle.job.status";
    public const string RetriesTag = "poddle.job.retries";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>The submit span (producer), child of the caller's current span (the HTTP request) when there is one.</summary>
    internal static Activity? StartSubmit(Guid poolId)
    {
        var activity = Source.StartActivity(Submit, ActivityKind.Producer);
        activity?.SetTag(PoolIdTag, poolId.ToString());
        return activity;
    }

    /// <summary>
    /// What a job row keeps: the submit span's context, else the caller's (so a trace that is sampled upstream goes on
    /// even when no listener of this source runs in this process); null when neither exists.
    /// </summary>
    internal static string? ContextToKeep(Activity? submit) => (submit ?? Activity.Current)?.Id;

    /// <summary>When a worker took the job: the queued span (its wait, back-dated) and the take span (consumer).</summary>
    internal static void Taken(PoolJob job, DateTimeOffset now)
    {
        if (!Source.HasListeners() || !TryParent(job, out var parent))
        {
            return;
        }

        using (var queued = Source.StartActivity(Queued, ActivityKind.Internal, parent, startTime: job.QueuedAt))
        {
            Tag(queued, job);
            queued?.SetTag(RetriesTag, job.Retries);
            queued?.SetEndTime(now.UtcDateTime);
        }

        using var take = Source.StartActivity(Take, ActivityKind.Consumer, parent, startTime: now);
        Tag(take, job);
        take?.SetTag(WorkerIdTag, job.WorkerId);
        take?.SetEndTime(now.UtcDateTime);
    }

    /// <summary>The span of a worker's result post (consumer of the job's trace), with the job's final status.</summary>
    internal static Activity? StartResult(PoolJob job, string workerId)
    {
        if (!Source.HasListeners() || !TryParent(job, out var parent))
        {
            return null;
        }

        var activity = Source.StartActivity(Result, ActivityKind.Internal, parent);
        Tag(activity, job);
        activity?.SetTag(WorkerIdTag, workerId);
        return activity;
    }

    private static bool TryParent(PoolJob job, out ActivityContext parent)
    {
        parent = default;
        return job.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, isRemote: true, out parent);
    }

    private static void Tag(Activity? activity, PoolJob job)
    {
        activity?.SetTag(PoolIdTag, job.PoolId.ToString());
        activity?.SetTag(JobIdTag, job.Id.ToString());
    }
}
