using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

/// <summary>
/// Issue 13: after a restart the job workers started before the code executor had discovered its languages, and failed a
/// restart's backlog of executions as "language not available". A job must wait for its handler to be ready, never fail for it.
/// </summary>
public sealed class JobReadinessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Restrict_GateClosed_LeavesOutItsKindsUntilItOpensThenWakesTheirLane()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signal = new JobSignal([new JobLane("code", ["execution"], 2)]);
        var readiness = Readiness(signal, new JobReadinessGate("language discovery", ["execution", "grading"], _ => gate.Task));
        var lane = new JobKindFilter(["execution"], []);
        var defaultLane = new JobKindFilter([], ["execution"]);
        var wake = signal.NextFor("code");

        Assert.Equal(["execution", "grading"], readiness.WaitingKinds.Order(StringComparer.Ordinal));
        Assert.Null(readiness.Restrict(lane));
        Assert.Equal(["execution", "grading"], readiness.Restrict(defaultLane)!.Except.Order(StringComparer.Ordinal));
        Assert.Equal(["other"], readiness.Restrict(new JobKindFilter(["execution", "other"], []))!.Only);
        Assert.False(wake.IsCompleted);

        gate.SetResult();

        Assert.Empty(readiness.WaitingKinds);
        Assert.Same(lane, readiness.Restrict(lane));
        Assert.Same(defaultLane, readiness.Restrict(defaultLane));
        await wake.WaitAsync(Bound); // opening the gate wakes the lane of its kinds
    }

    [Fact]
    public void Restrict_KindHeldByTwoGates_WaitsForBoth_AndAFailedGateNeverOpens()
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readiness = Readiness(
            new JobSignal(),
            new JobReadinessGate("first", ["a", "b"], _ => first.Task),
            new JobReadinessGate("second", ["b"], _ => second.Task),
            new JobReadinessGate("open", ["c"], _ => Task.CompletedTask));

        Assert.Equal(["a", "b"], readiness.WaitingKinds.Order(StringComparer.Ordinal));
        first.SetResult();
        Assert.Equal(["b"], readiness.WaitingKinds);
        second.SetException(new InvalidOperationException("discovery failed"));
        Assert.Equal(["b"], readiness.WaitingKinds);
        Assert.Null(readiness.Restrict(new JobKindFilter(["b"], [])));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_HandlerNotReady_JobStaysQueuedUncountedThenRunsOnceReady(DatabaseProvider provider)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var jobs = await JobsHarness.CreateAsync(provider, configure: services =>
            services.AddJobReadinessGate("test dependency", [ScriptedJobHandler.JobKind], _ => gate.Task));
        var job = await jobs.EnqueueAsync();

        Assert.False(await jobs.Processor.RunNextAsync(CancellationToken.None));
        jobs.Clock.Advance(TimeSpan.FromHours(1));
        Assert.False(await jobs.Processor.RunNextAsync(new JobKindFilter([ScriptedJobHandler.JobKind], []), CancellationToken.None));
        var waiting = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Queued, 0, null), (waiting.State, waiting.Attempts, waiting.LastError));
        Assert.Empty(jobs.Handler.Seen);

        gate.SetResult();

        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));
        var done = await jobs.GetAsync(job.Id);
        Assert.Equal((JobState.Succeeded, 1), (done.State, done.Attempts));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Runner_GatedJobFirstInLine_OtherKindsRunAndTheGatedOneRunsWhenItsGateOpens(DatabaseProvider provider)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gated = new RecordingHandler();
        await using var jobs = await JobsHarness.CreateAsync(provider, configure: services =>
        {
            services.AddKeyedSingleton<IJobHandler>(RecordingHandler.JobKind, gated);
            services.AddJobReadinessGate("test dependency", [RecordingHandler.JobKind], _ => gate.Task);
        });
        var ungatedRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        jobs.Handler.Behaviour = (_, _) =>
        {
            ungatedRan.TrySetResult();
            return Task.CompletedTask;
        };

        // The gated job is older, so without the gate a worker would take it first.
        var waiting = await jobs.EnqueueAsync(RecordingHandler.JobKind, options: new EnqueueOptions(RunAt: jobs.Clock.GetUtcNow().AddMinutes(-1)));
        var other = await jobs.EnqueueAsync();
        var runner = jobs.Services.GetServices<IHostedService>().OfType<JobRunner>().Single();
        await runner.StartAsync(CancellationToken.None);
        try
        {
            await ungatedRan.Task.WaitAsync(Bound);
            Assert.Equal(JobState.Queued, (await jobs.GetAsync(waiting.Id)).State);
            Assert.False(gated.Ran.Task.IsCompleted);

            // The fake clock stands still: no poll interval passes, the opening gate itself wakes the workers.
            gate.SetResult();
            await gated.Ran.Task.WaitAsync(Bound);
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
        }

        Assert.Equal(JobState.Succeeded, (await jobs.GetAsync(other.Id)).State);
        Assert.Equal(1, (await jobs.GetAsync(waiting.Id)).Attempts);
    }

    private static JobReadiness Readiness(JobSignal signal, params JobReadinessGate[] gates) =>
        new(gates, new ServiceCollection().BuildServiceProvider(), signal, NullLogger<JobReadiness>.Instance);

    private sealed class RecordingHandler : IJobHandler
    {
        public const string JobKind = "test.gated";

        public TaskCompletionSource Ran { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Kind => JobKind;

        public Task HandleAsync(JobContext context, CancellationToken cancellationToken)
        {
            Ran.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
