using Microsoft.Extensions.Time.Testing;
using Poddle.Core.Common;
using Poddle.Core.Pools.Scaling;

namespace Poddle.Core.Tests.Pools.Scaling;

public sealed class WorkerLifecycleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    public static TheoryData<WorkerState, WorkerState> AllowedMoves() => new()
    {
        { WorkerState.Spawning, WorkerState.Initializing },
        { WorkerState.Spawning, WorkerState.Terminating },
        { WorkerState.Spawning, WorkerState.Failed },
        { WorkerState.Initializing, WorkerState.Idle },
        { WorkerState.Initializing, WorkerState.Running },
        { WorkerState.Initializing, WorkerState.Terminating },
        { WorkerState.Initializing, WorkerState.Failed },
        { WorkerState.Idle, WorkerState.Running },
        { WorkerState.Idle, WorkerState.Draining },
        { WorkerState.Idle, WorkerState.Terminating },
        { WorkerState.Idle, WorkerState.Failed },
        { WorkerState.Running, WorkerState.Idle },
        { WorkerState.Running, WorkerState.Draining },
        { WorkerState.Running, WorkerState.Terminating },
        { WorkerState.Running, WorkerState.Failed },
        { WorkerState.Draining, WorkerState.Terminating },
        { WorkerState.Draining, WorkerState.Failed },
        { WorkerState.Terminating, WorkerState.Terminated },
        { WorkerState.Terminating, WorkerState.Failed },
    };

    public static TheoryData<WorkerState, WorkerState> RefusedMoves() => new()
    {
        { WorkerState.Spawning, WorkerState.Running },
        { WorkerState.Spawning, WorkerState.Idle },
        { WorkerState.Idle, WorkerState.Spawning },
        { WorkerState.Idle, WorkerState.Idle },
        { WorkerState.Running, WorkerState.Running },
        { WorkerState.Running, WorkerState.Terminated },
        { WorkerState.Draining, WorkerState.Running },
        { WorkerState.Draining, WorkerState.Idle },
        { WorkerState.Terminating, WorkerState.Idle },
        { WorkerState.Terminated, WorkerState.Spawning },
        { WorkerState.Terminated, WorkerState.Failed },
        { WorkerState.Failed, WorkerState.Idle },
        { WorkerState.Failed, WorkerState.Terminated },
    };

    [Theory]
    [MemberData(nameof(AllowedMoves))]
    public void Move_AllowedTransition_IsTheEventWithReasonAndTime(WorkerState from, WorkerState to)
    {
        var result = WorkerLifecycle.Move("w1", from, to, WorkerTransitionReasons.JobTaken, _clock);

        Assert.True(result.IsSuccess);
        Assert.Equal(new WorkerTransition("w1", from, to, WorkerTransitionReasons.JobTaken, _clock.GetUtcNow()), result.Value);
    }

    [Theory]
    [MemberData(nameof(RefusedMoves))]
    public void Move_RefusedTransition_IsAConflictNamingBothStates(WorkerState from, WorkerState to)
    {
        var result = WorkerLifecycle.Move("w1", from, to, WorkerTransitionReasons.JobTaken, _clock);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorKind.Conflict, result.Error.Kind);
        Assert.Equal(WorkerErrorCodes.InvalidTransition, result.Error.Code);
        Assert.Contains($"from {WorkerStates.Of(from)} to {WorkerStates.Of(to)}", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowed_Table_HasExactlyTheListedMovesAndEveryStateAnEntry()
    {
        var listed = AllowedMoves().Select(row => ((WorkerState)row[0], (WorkerState)row[1])).ToHashSet();
        var table = WorkerLifecycle.Allowed.SelectMany(e => e.Value.Select(to => (e.Key, to))).ToHashSet();

        Assert.Equal(Enum.GetValues<WorkerState>().Length, WorkerLifecycle.Allowed.Count);
        Assert.True(listed.SetEquals(table));
    }

    [Fact]
    public void IsFinal_OnlyTerminatedAndFailed()
    {
        var final = Enum.GetValues<WorkerState>().Where(WorkerLifecycle.IsFinal);

        Assert.Equal([WorkerState.Terminated, WorkerState.Failed], final);
    }

    [Fact]
    public void Move_FullLife_SpawningToTerminated()
    {
        WorkerState[] path = [WorkerState.Spawning, WorkerState.Initializing, WorkerState.Idle, WorkerState.Running, WorkerState.Idle, WorkerState.Draining, WorkerState.Terminating, WorkerState.Terminated];

        var events = path.Zip(path.Skip(1)).Select(step => WorkerLifecycle.Move("w1", step.First, step.Second, "test", _clock)).ToArray();

        Assert.All(events, e => Assert.True(e.IsSuccess));
    }

    [Fact]
    public void WorkerStates_WireNames_RoundTrip()
    {
        foreach (var state in Enum.GetValues<WorkerState>())
        {
            Assert.Equal(state, WorkerStates.Parse(WorkerStates.Of(state)));
        }

        Assert.Null(WorkerStates.Parse("sleeping"));
    }

    [Fact]
    public void IsLost_SilentForThreePingIntervals_IsLost()
    {
        var lastPing = _clock.GetUtcNow();
        var interval = TimeSpan.FromSeconds(10);

        _clock.Advance(TimeSpan.FromSeconds(29));
        var before = WorkerLiveness.IsLost(lastPing, interval, _clock);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var after = WorkerLiveness.IsLost(lastPing, interval, _clock);

        Assert.False(before);
        Assert.True(after);
        Assert.Equal(lastPing + TimeSpan.FromSeconds(30), WorkerLiveness.LostAt(lastPing, interval));
    }

    [Fact]
    public void LostAt_NonPositiveInterval_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerLiveness.LostAt(_clock.GetUtcNow(), TimeSpan.Zero));
    }
}
