using System.Globalization;
using System.Text.Json;
using Poddle.Core.Common;
using Poddle.Core.Persistence;
using Poddle.Core.Pools.Scaling;

namespace Poddle.Core.Pools.Runtime;

/// <summary>
/// The one place a worker's state changes: every move goes through <see cref="WorkerLifecycle.Move"/> (the table of
/// allowed moves) and is stored as a <see cref="PoolEvent"/> in the caller's unit of work, together with the row's
/// change; a decision is stored as an event with its rule and inputs. The caller saves.
/// </summary>
public sealed class PoolWorkerRecorder(PoddleDbContext db, TimeProvider clock)
{
    /// <summary>The longest event message stored (the column's length).</summary>
    public const int MaxMessageLength = 512;

    private static readonly JsonSerializerOptions InputsJson = new(JsonSerializerDefaults.Web);

    /// <summary>A new worker row, spawning, with its event.</summary>
    public PoolWorker Spawning(Guid poolId, string driver)
    {
        var now = clock.GetStoredUtcNow();
        var worker = new PoolWorker
        {
            WorkerId = Guid.CreateVersion7(now).ToString("N"),
            PoolId = poolId,
            Driver = driver,
            State = WorkerStates.Spawning,
            CreatedAt = now,
            StateChangedAt = now,
        };
        db.Set<PoolWorker>().Add(worker);
        Add(poolId, PoolEventKinds.Worker, worker.WorkerId, "spawned", $"→ {WorkerStates.Spawning}", null, now);
        return worker;
    }

    /// <summary>Moves <paramref name="worker"/> to <paramref name="to"/>; a conflict when the lifecycle does not allow it (nothing changes then).</summary>
    public Result<WorkerTransition> Move(PoolWorker worker, WorkerState to, string reason)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var from = WorkerStates.Parse(worker.State) ?? WorkerState.Failed;
        var moved = WorkerLifecycle.Move(worker.WorkerId, from, to, reason, clock);
        if (moved.IsSuccess)
        {
            var transition = moved.Value;
            var at = StoredTime(transition.At);
            worker.State = WorkerStates.Of(to);
            worker.Reason = reason;
            worker.StateChangedAt = at;
            Add(worker.PoolId, PoolEventKinds.Worker, worker.WorkerId, reason, $"{WorkerStates.Of(from)} → {WorkerStates.Of(to)}", null, at);
        }

        return moved;
    }

    /// <summary>Stores a decision as an event with its rule and inputs; <paramref name="message"/> is the event's text.</summary>
    public void Decided(Guid poolId, ScalingDecision decision, out string message)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var action = decision.Spawn > 0 ? $"spawn {decision.Spawn}" : decision.Drain.Count > 0 ? $"drain {decision.Drain.Count}" : "no change";
        message = string.Create(CultureInfo.InvariantCulture, $"{action}: {decision.CurrentWorkers} → {decision.DesiredWorkers} workers");
        Add(poolId, PoolEventKinds.Decision, null, decision.Rule, message, JsonSerializer.Serialize(decision.Inputs, InputsJson), StoredTime(decision.At));
    }

    /// <summary>
    /// Stores where a GPU worker was placed or why none could be (<see cref="PoolEventKinds.Capacity"/>):
    /// <paramref name="reason"/> is <see cref="CapacityReasons"/>' value, <paramref name="message"/> names the GPU and
    /// cloud types tried.
    /// </summary>
    public void Capacity(Guid poolId, string workerId, string reason, string message)
    {
        ArgumentNullException.ThrowIfNull(message);

        // A long fallback list (10 GPU types in 3 clouds) is longer than an event's message may be: its middle goes,
        // its start (the first types tried) and its end (the back-off) stay.
        if (message.Length > MaxMessageLength)
        {
            const string Cut = " … ";
            var tail = MaxMessageLength / 4;
            message = string.Concat(message.AsSpan(0, MaxMessageLength - tail - Cut.Length), Cut, message.AsSpan(message.Length - tail));
        }

        Add(poolId, PoolEventKinds.Capacity, workerId, reason, message, null, clock.GetStoredUtcNow());
    }

    private void Add(Guid poolId, string kind, string? workerId, string reason, string message, string? inputs, DateTimeOffset at) =>
        db.Set<PoolEvent>().Add(new PoolEvent
        {
            Id = Guid.CreateVersion7(at),
            PoolId = poolId,
            At = at,
            Kind = kind,
            WorkerId = workerId,
            Reason = reason,
            Message = message,
            InputsJson = inputs,
        });

    /// <summary>Whole microseconds, as the stores keep them (<see cref="Common.StoredTime"/>).</summary>
    private static DateTimeOffset StoredTime(DateTimeOffset at) => at.AddTicks(-(at.UtcTicks % TimeSpan.TicksPerMicrosecond));
}
