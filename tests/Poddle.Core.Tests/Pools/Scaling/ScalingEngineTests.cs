using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Pools.Scaling;

namespace Poddle.Core.Tests.Pools.Scaling;

public sealed class ScalingEngineTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private static PoolScalingPolicy Policy(
        int min = 0, int max = 10, PoolScaler? scaler = null, double idle = 5, double up = 0, double down = 0) =>
        new(min, max, scaler ?? new QueueDelayScaler(TimeSpan.FromSeconds(4)), TimeSpan.FromSeconds(idle), TimeSpan.FromSeconds(up), TimeSpan.FromSeconds(down));

    private static PoolSnapshot Snapshot(int queued = 0, double oldest = 0, IReadOnlyList<PoolWorkerView>? workers = null, double? mean = null)
    {
        workers ??= [];
        var running = workers.Count(w => w.State == WorkerState.Running);
        return new PoolSnapshot(queued, TimeSpan.FromSeconds(oldest), running, workers, mean is { } m ? TimeSpan.FromSeconds(m) : null);
    }

    private static PoolWorkerView[] Workers(WorkerState state, int count, DateTimeOffset? idleSince = null, string prefix = "w") =>
        [.. Enumerable.Range(0, count).Select(i => new PoolWorkerView($"{prefix}{state}{i}", state, state == WorkerState.Idle ? idleSince : null))];

    [Fact]
    public void Decide_FirstJobOnPoolAtZero_SpawnsOneWorkerAtOnce()
    {
        var engine = new ScalingEngine(_clock);

        var decision = engine.Decide(Policy(), Snapshot(queued: 1));

        Assert.Equal(1, decision.Spawn);
        Assert.Equal(1, decision.DesiredWorkers);
        Assert.Equal(ScalingRules.QueueDelayFirstWorker, decision.Rule);
        Assert.Empty(decision.Drain);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(4), decision.RecheckAt);
    }

    [Fact]
    public void Decide_WorkerAlreadySpawning_DoesNotSpawnAgainOnTheNextEvent()
    {
        var engine = new ScalingEngine(_clock);
        engine.Decide(Policy(), Snapshot(queued: 1));

        var decision = engine.Decide(Policy(), Snapshot(queued: 2, workers: Workers(WorkerState.Spawning, 1)));

        Assert.Equal(0, decision.Spawn);
        Assert.Equal(1, decision.CurrentWorkers);
    }

    [Fact]
    public void Decide_BurstWaitingPastTheTarget_OneWorkerPerQueuedJob()
    {
        var engine = new ScalingEngine(_clock);

        var decision = engine.Decide(Policy(), Snapshot(queued: 6, oldest: 4.5, workers: Workers(WorkerState.Running, 2)));

        Assert.Equal(ScalingRules.QueueDelayExceeded, decision.Rule);
        Assert.Equal(8, decision.DesiredWorkers);
        Assert.Equal(6, decision.Spawn);
        Assert.Equal(6, decision.Inputs.QueuedJobs);
        Assert.Equal(2, decision.Inputs.Busy);
    }

    [Fact]
    public void Describe_SpawnDecision_NamesActionRuleAndInputs()
    {
        var decision = new ScalingEngine(_clock).Decide(Policy(), Snapshot(queued: 6, oldest: 4.5, workers: Workers(WorkerState.Running, 4)));

        Assert.Equal(
            "spawn 6 (4 → 10 workers) by queue-delay-exceeded: queued 6, oldest wait 4.5 s, in progress 4; starting 0, idle 0, busy 4, draining 0",
            decision.Describe());
    }

    [Fact]
    public void Decide_BurstWithKnownJobDuration_SpawnsAheadOfTheTarget()
    {
        var engine = new ScalingEngine(_clock);

        // 20 jobs of 1 s, 4 s to go: 5 workers drain them in time.
        var decision = engine.Decide(Policy(), Snapshot(queued: 20, oldest: 0, mean: 1));

        Assert.Equal(ScalingRules.QueueDelayForecast, decision.Rule);
        Assert.Equal(5, decision.Spawn);
    }

    [Fact]
    public void Decide_BurstBeyondMax_NeverAboveMax()
    {
        var engine = new ScalingEngine(_clock);

        var decision = engine.Decide(Policy(max: 3), Snapshot(queued: 500, oldest: 60, workers: Workers(WorkerState.Running, 2)));

        Assert.Equal(3, decision.DesiredWorkers);
        Assert.Equal(1, decision.Spawn);
        Assert.Equal(ScalingRules.MaxWorkers, decision.Rule);
    }

    [Fact]
    public void Decide_AtMaxAlready_SpawnsNothing()
    {
        var engine = new ScalingEngine(_clock);
        var workers = Workers(WorkerState.Running, 3).Concat(Workers(WorkerState.Spawning, 1)).ToArray();

        var decision = engine.Decide(Policy(max: 4), Snapshot(queued: 50, oldest: 30, workers: workers));

        Assert.Equal(0, decision.Spawn);
        Assert.Equal(4, decision.DesiredWorkers);
    }

    [Fact]
    public void Decide_TrickleWithinTarget_OneWorkerServesIt()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(idle: 30);
        engine.Decide(policy, Snapshot(queued: 1));
        var spawned = 0;

        // One short job every 10 s: the one worker takes each at once and is never idle past the timeout.
        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            spawned += engine.Decide(policy, Snapshot(workers: Workers(WorkerState.Running, 1))).Spawn;
            _clock.Advance(TimeSpan.FromSeconds(5));
            spawned += engine.Decide(policy, Snapshot(queued: 1, workers: Workers(WorkerState.Idle, 1, _clock.GetUtcNow() - TimeSpan.FromSeconds(4)))).Spawn;
        }

        Assert.Equal(0, spawned);
    }

    [Fact]
    public void Decide_RequestCount_FollowsRunPodsFormula()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(scaler: new RequestCountScaler(4));

        // ceil((9 queued + 2 in progress) / 4) = 3.
        var decision = engine.Decide(policy, Snapshot(queued: 9, workers: Workers(WorkerState.Running, 2)));

        Assert.Equal(ScalingRules.RequestCount, decision.Rule);
        Assert.Equal(3, decision.DesiredWorkers);
        Assert.Equal(1, decision.Spawn);
    }

    [Fact]
    public void Decide_QueueEmptyAndIdlePastTimeout_ScalesToZero()
    {
        var engine = new ScalingEngine(_clock);
        var idleSince = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(4));

        var early = engine.Decide(Policy(idle: 5), Snapshot(workers: Workers(WorkerState.Idle, 2, idleSince)));
        _clock.Advance(Second);
        var late = engine.Decide(Policy(idle: 5), Snapshot(workers: Workers(WorkerState.Idle, 2, idleSince)));

        Assert.Empty(early.Drain);
        Assert.Equal(ScalingRules.IdleTimeout, early.Rule);
        Assert.Equal(idleSince + TimeSpan.FromSeconds(5), early.RecheckAt);
        Assert.Equal(0, late.DesiredWorkers);
        Assert.Equal(["wIdle0", "wIdle1"], late.Drain);
    }

    [Fact]
    public void Decide_MinWorkersIdleForever_KeptWarm()
    {
        var engine = new ScalingEngine(_clock);
        var idleSince = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromHours(1));

        var decision = engine.Decide(Policy(min: 2), Snapshot(workers: Workers(WorkerState.Idle, 3, idleSince)));

        Assert.Equal(2, decision.DesiredWorkers);
        Assert.Single(decision.Drain);
    }

    [Fact]
    public void Decide_SteadyPool_NeedsNoRecheck()
    {
        var engine = new ScalingEngine(_clock);
        var idleSince = _clock.GetUtcNow() - TimeSpan.FromHours(1);

        var busy = engine.Decide(Policy(min: 1), Snapshot(workers: Workers(WorkerState.Running, 1)));
        var warm = engine.Decide(Policy(min: 2), Snapshot(workers: Workers(WorkerState.Idle, 3, idleSince)));

        Assert.False(busy.Acts);
        Assert.Null(busy.RecheckAt);
        Assert.Single(warm.Drain);
        Assert.Null(warm.RecheckAt);
    }

    [Fact]
    public void Decide_MinWorkersOnAnEmptyPool_SpawnsThem()
    {
        var decision = new ScalingEngine(_clock).Decide(Policy(min: 2), Snapshot());

        Assert.Equal(2, decision.Spawn);
        Assert.Equal(ScalingRules.MinWorkers, decision.Rule);
    }

    [Fact]
    public void Decide_ScaleDown_NeverDrainsABusyWorker()
    {
        var engine = new ScalingEngine(_clock);
        var idleSince = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(10));
        var workers = Workers(WorkerState.Running, 3).Concat(Workers(WorkerState.Idle, 1, idleSince)).Concat(Workers(WorkerState.Initializing, 1)).ToArray();

        // Max lowered to 1 under load: only the idle worker may go; busy and starting ones stay.
        var decision = engine.Decide(Policy(max: 1), Snapshot(workers: workers));

        Assert.Equal(1, decision.DesiredWorkers);
        Assert.Equal(["wIdle0"], decision.Drain);
        Assert.All(decision.Drain, id => Assert.Equal(WorkerState.Idle, workers.Single(w => w.WorkerId == id).State));
    }

    [Fact]
    public void Decide_CancellationsShrinkTheQueue_SpawnsNoMoreAndDrainsAfterIdle()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(idle: 5);
        Assert.Equal(5, engine.Decide(policy, Snapshot(queued: 5, oldest: 5)).Spawn);

        // All five jobs cancelled while the workers start.
        _clock.Advance(Second);
        var cancelled = engine.Decide(policy, Snapshot(workers: Workers(WorkerState.Spawning, 5)));
        _clock.Advance(Second);
        var ready = _clock.GetUtcNow();
        var idle = engine.Decide(policy, Snapshot(workers: Workers(WorkerState.Idle, 5, ready)));
        _clock.Advance(TimeSpan.FromSeconds(5));
        var gone = engine.Decide(policy, Snapshot(workers: Workers(WorkerState.Idle, 5, ready)));

        Assert.Equal(0, cancelled.Spawn);
        Assert.Empty(cancelled.Drain);
        Assert.Equal(0, cancelled.DesiredWorkers);
        Assert.Empty(idle.Drain);
        Assert.Equal(5, gone.Drain.Count);
    }

    [Fact]
    public void Decide_FlappingLoad_HeldByTheScaleDownWindow()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(scaler: new RequestCountScaler(1), idle: 0, down: 60);
        var idleSince = _clock.GetUtcNow();
        var drained = 0;
        var spawned = 0;

        // Load alternates between 4 and 0 jobs every 5 s for two minutes; the 4 workers stay.
        for (var i = 0; i < 24; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            var busy = i % 2 == 0;
            var snapshot = busy ? Snapshot(workers: Workers(WorkerState.Running, 4)) : Snapshot(workers: Workers(WorkerState.Idle, 4, idleSince));
            var decision = engine.Decide(policy, snapshot);
            drained += decision.Drain.Count;
            spawned += decision.Spawn;
            if (!busy)
            {
                Assert.Equal(4, decision.DesiredWorkers);
                Assert.Equal(ScalingRules.ScaleDownWindow, decision.Rule);
            }
        }

        Assert.Equal(0, drained);
        Assert.Equal(0, spawned);
    }

    [Fact]
    public void Decide_LoadGoneForTheWholeDownWindow_ScalesDown()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(scaler: new RequestCountScaler(1), idle: 0, down: 60);
        engine.Decide(policy, Snapshot(workers: Workers(WorkerState.Running, 4)));
        var idleSince = _clock.GetUtcNow();

        _clock.Advance(TimeSpan.FromSeconds(59));
        var held = engine.Decide(policy, Snapshot(workers: Workers(WorkerState.Idle, 4, idleSince)));
        _clock.Advance(Second);
        var released = engine.Decide(policy, Snapshot(workers: Workers(WorkerState.Idle, 4, idleSince)));

        Assert.Empty(held.Drain);
        Assert.Equal(idleSince + TimeSpan.FromSeconds(60), held.RecheckAt);
        Assert.Equal(4, released.Drain.Count);
    }

    [Fact]
    public void Decide_ShortSpike_HeldByTheScaleUpWindow()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(scaler: new RequestCountScaler(1), min: 1, up: 10);
        engine.Decide(policy, Snapshot(workers: Workers(WorkerState.Idle, 1, _clock.GetUtcNow())));

        _clock.Advance(Second);
        var spike = engine.Decide(policy, Snapshot(queued: 5, workers: Workers(WorkerState.Running, 1)));
        _clock.Advance(TimeSpan.FromSeconds(10));
        var sustained = engine.Decide(policy, Snapshot(queued: 5, workers: Workers(WorkerState.Running, 1)));

        Assert.Equal(0, spike.Spawn);
        Assert.Equal(ScalingRules.ScaleUpWindow, spike.Rule);
        Assert.Equal(5, sustained.Spawn);
    }

    [Fact]
    public void Decide_SameInputsSameClock_SameDecision()
    {
        var a = new ScalingEngine(_clock);
        var b = new ScalingEngine(_clock);
        var idleSince = _clock.GetUtcNow() - TimeSpan.FromMinutes(1);
        var workers = Workers(WorkerState.Idle, 3, idleSince, "b").Concat(Workers(WorkerState.Idle, 3, idleSince, "a")).ToArray();

        var first = a.Decide(Policy(), Snapshot(workers: workers));
        var second = b.Decide(Policy(), Snapshot(workers: [.. workers.Reverse()]));

        Assert.Equal(["aIdle0", "aIdle1", "aIdle2", "bIdle0", "bIdle1", "bIdle2"], first.Drain);
        Assert.Equal(first.Drain, second.Drain);
        Assert.Equal((first.DesiredWorkers, first.Rule, first.RecheckAt, first.Inputs), (second.DesiredWorkers, second.Rule, second.RecheckAt, second.Inputs));
    }

    [Theory]
    [InlineData(-1, 3)]
    [InlineData(4, 3)]
    [InlineData(0, 0)]
    public void Decide_PolicyOutOfRange_Throws(int min, int max)
    {
        Assert.Throws<ArgumentException>(() => new ScalingEngine(_clock).Decide(Policy(min: min, max: max), Snapshot()));
    }

    [Fact]
    public void Decide_RandomLoad_InvariantsHold()
    {
        var random = new Random(16);
        var engine = new ScalingEngine(_clock);
        var policy = Policy(min: 1, max: 6, idle: 3, down: 20);
        var workers = new List<PoolWorkerView>();
        for (var step = 0; step < 2000; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, 2000)));
            var snapshot = Snapshot(queued: random.Next(0, 30), oldest: random.NextDouble() * 8, workers: workers);
            var decision = engine.Decide(policy, snapshot);

            Assert.InRange(decision.DesiredWorkers, 1, 6);
            Assert.True(decision.CurrentWorkers + decision.Spawn <= 6);
            Assert.False(decision.Spawn > 0 && decision.Drain.Count > 0);
            Assert.All(decision.Drain, id => Assert.Equal(WorkerState.Idle, workers.Single(w => w.WorkerId == id).State));
            Assert.True(decision.CurrentWorkers + decision.Spawn - decision.Drain.Count >= 1);

            workers.RemoveAll(w => decision.Drain.Contains(w.WorkerId));
            workers.AddRange(Enumerable.Range(0, decision.Spawn).Select(i => new PoolWorkerView($"s{step}-{i}", WorkerState.Spawning)));
            workers = [.. workers.Select(w => (WorkerState)random.Next(0, 4) switch
            {
                WorkerState.Idle => w with { State = WorkerState.Idle, IdleSince = w.IdleSince ?? _clock.GetUtcNow() },
                WorkerState.Running => w with { State = WorkerState.Running, IdleSince = null },
                _ => w,
            })];
        }
    }

    [Fact]
    public void Decide_SpendAtTheBudget_NoScaleUpByBudgetReached()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(max: 10) with { BudgetPerHour = 1.00m };
        var snapshot = Snapshot(queued: 6, oldest: 4.5, workers: Workers(WorkerState.Running, 2)) with { SpendPerHour = 1.00m, CostPerWorker = 0.50m };

        var decision = engine.Decide(policy, snapshot);

        Assert.Equal((0, 2, ScalingRules.BudgetReached), (decision.Spawn, decision.DesiredWorkers, decision.Rule));
        Assert.Empty(decision.Drain);
    }

    [Fact]
    public void Decide_BudgetRoomForSomeWorkers_SpawnsOnlyWhatItAffords()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(max: 10) with { BudgetPerHour = 2.00m };
        var snapshot = Snapshot(queued: 6, oldest: 4.5, workers: Workers(WorkerState.Running, 2)) with { SpendPerHour = 0.80m, CostPerWorker = 0.40m };

        var decision = engine.Decide(policy, snapshot);

        Assert.Equal((3, 5, ScalingRules.BudgetReached), (decision.Spawn, decision.DesiredWorkers, decision.Rule));
    }

    [Fact]
    public void Decide_SpendFallsUnderTheBudget_ScalesUpAgainOnTheFakeClock()
    {
        var engine = new ScalingEngine(_clock);
        var policy = Policy(max: 10) with { BudgetPerHour = 1.00m };
        var busy = Workers(WorkerState.Running, 2);
        Assert.Equal(ScalingRules.BudgetReached, engine.Decide(policy, Snapshot(queued: 3, oldest: 5, workers: busy) with { SpendPerHour = 1.20m }).Rule);

        _clock.Advance(TimeSpan.FromMinutes(1));
        var under = engine.Decide(policy, Snapshot(queued: 3, oldest: 65, workers: Workers(WorkerState.Running, 1)) with { SpendPerHour = 0.50m });

        Assert.Equal((3, ScalingRules.QueueDelayExceeded), (under.Spawn, under.Rule));
    }

    [Fact]
    public void Decide_NoBudget_SpendIsIgnored()
    {
        var decision = new ScalingEngine(_clock).Decide(Policy(), Snapshot(queued: 6, oldest: 4.5, workers: Workers(WorkerState.Running, 2)) with { SpendPerHour = 1000m });

        Assert.Equal((6, ScalingRules.QueueDelayExceeded), (decision.Spawn, decision.Rule));
    }
}
