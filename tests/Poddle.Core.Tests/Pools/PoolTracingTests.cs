using System.Collections.Concurrent;
using System.Diagnostics;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Pools;
using Poddle.Testing;

namespace Poddle.Core.Tests.Pools;

/// <summary>The pools' spans, caught by an in-memory <see cref="ActivityListener"/>: one trace from a job's submission through its worker's result.</summary>
public sealed class PoolTracingTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Spans_SubmitQueuedTakeResult_AreOneTraceAcrossRequests(DatabaseProvider provider)
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is PoolTracing.SourceName or "test-client",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.Source.Name == PoolTracing.SourceName) { spans.Enqueue(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var client = new ActivitySource("test-client");
        await using var harness = await PoolsHarness.CreateAsync(provider);
        var alice = await harness.CreateUserAsync("alice");
        var pool = await harness.CreateCommandPoolAsync(alice);
        var worker = await harness.CreateWorkerAsync(pool, "w-1");

        // The client's request span is the parent of the submission (as ASP.NET Core's request span would be).
        ActivityTraceId traceId;
        Guid jobId;
        using (var request = client.StartActivity("POST /v2/{pool}/run"))
        {
            traceId = request!.TraceId;
            jobId = (await harness.WithAsync<Result<PoolJob>, PoolJobService>(s => s.SubmitAsync(alice, pool, new PoolJobSubmission("{}"), CancellationToken.None))).Value.Id;
        }

        // Each later step is another request, with no ambient span: the job row carries the trace.
        harness.Clock.Advance(TimeSpan.FromSeconds(3));
        await harness.WithAsync<IReadOnlyList<PoolJob>, PoolWorkerProtocol>(p => p.TakeAsync(worker, 1, TimeSpan.Zero, CancellationToken.None));
        harness.Clock.Advance(TimeSpan.FromSeconds(2));
        var posted = await harness.WithAsync<Result<bool>, PoolWorkerProtocol>(p => p.PostResultAsync(worker, jobId, """{"output":1}""", CancellationToken.None));
        Assert.True(posted.Value);

        var ours = spans.Where(s => (string?)s.GetTagItem(PoolTracing.JobIdTag) == jobId.ToString()).ToList();
        Assert.Equal([PoolTracing.Submit, PoolTracing.Queued, PoolTracing.Take, PoolTracing.Result], ours.Select(s => s.OperationName));
        Assert.All(ours, s => Assert.Equal(traceId, s.TraceId));
        var submit = ours[0];
        Assert.All(ours.Skip(1), s => Assert.Equal(submit.SpanId, s.ParentSpanId));
        Assert.Equal(TimeSpan.FromSeconds(3), ours[1].Duration);
        Assert.Equal(("w-1", "w-1"), ((string?)ours[2].GetTagItem(PoolTracing.WorkerIdTag), (string?)ours[3].GetTagItem(PoolTracing.WorkerIdTag)));
        Assert.Equal(PoolJobStatuses.Completed, ours[3].GetTagItem(PoolTracing.StatusTag));
        Assert.Equal(pool.ToString(), ours[0].GetTagItem(PoolTracing.PoolIdTag));
    }
}
