using System.Collections.Concurrent;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Drivers.Sandbox.WarmPool;

/// <summary>What a pool prepares: the stub command, its binds and the limits its cgroup starts with.</summary>
internal sealed record PoolSpec(string Language, IReadOnlyList<string> Command, IReadOnlyList<SandboxBindMount> Binds, SandboxLimits Limits);

/// <summary>
/// The prepared sandboxes of one language, oldest first, and its adaptive target: a miss, or a hit that empties the
/// pool, grows the target by one (up to the maximum); <see cref="Shrink"/> lowers it after a quiet period.
/// </summary>
internal sealed class LanguagePool(PoolSpec spec, int min, int max, long now)
{
    private readonly ConcurrentQueue<(PreparedSandbox Sandbox, long PreparedAt)> _ready = new();
    private readonly Lock _lock = new();
    private int _count;
    private readonly int _min = min;
    private readonly int _max = max;
    private int _target = min;
    private long _hits;
    private long _misses;
    private long _lastDemand = now;

    public PoolSpec Spec { get; } = spec;

    public int Count => Volatile.Read(ref _count);

    public int Target => Volatile.Read(ref _target);

    /// <summary>Preparations in flight for this pool (only the manager's loop and its tasks change it).</summary>
    public int Preparing;

    /// <summary>When a preparation last failed (stops a broken language from being retried in a tight loop).</summary>
    public long LastFailure = long.MinValue;

    public WarmPoolStats Stats() => new(Spec.Language, Count, Target, Interlocked.Read(ref _hits), Interlocked.Read(ref _misses));

    public void Add(PreparedSandbox sandbox, long now)
    {
        _ready.Enqueue((sandbox, now));
        Interlocked.Increment(ref _count);
    }

    public PreparedSandbox? TryTake(long now)
    {
        Volatile.Write(ref _lastDemand, now);
        while (_ready.TryDequeue(out var entry))
        {
            var left = Interlocked.Decrement(ref _count);
            if (!entry.Sandbox.Claimed)
            {
                Interlocked.Increment(ref _hits);
                if (left == 0)
                {
                    Grow();
                }

                return entry.Sandbox;
            }
        }

        Interlocked.Increment(ref _misses);
        Grow();
        return null;
    }

    /// <summary>A hit whose sandbox could not be used after all (it died, or the limits could not be set): a miss.</summary>
    public void RecordFallback()
    {
        Interlocked.Decrement(ref _hits);
        Interlocked.Increment(ref _misses);
    }

    /// <summary>Takes out one sandbox prepared before <paramref name="staleBefore"/>, or beyond the target, for disposal.</summary>
    public PreparedSandbox? TakeSurplus(long staleBefore)
    {
        if (!_ready.TryPeek(out var head))
        {
            return null;
        }

        var surplus = Count > Target;
        if ((head.PreparedAt >= staleBefore && !surplus) || !_ready.TryDequeue(out var entry))
        {
            return null;
        }

        Interlocked.Decrement(ref _count);
        if (entry.PreparedAt < staleBefore || surplus)
        {
            return entry.Sandbox;
        }

        // Raced with a hand-out and got a young one: keep it (at the tail).
        Add(entry.Sandbox, entry.PreparedAt);
        return null;
    }

    /// <summary>Everything still waiting (at shutdown).</summary>
    public IEnumerable<PreparedSandbox> Drain()
    {
        while (_ready.TryDequeue(out var entry))
        {
            Interlocked.Decrement(ref _count);
            yield return entry.Sandbox;
        }
    }

    /// <summary>Lowers the target by one when nothing was asked of this pool since <paramref name="quietSince"/>.</summary>
    public void Shrink(long quietSince, long now)
    {
        lock (_lock)
        {
            if (Volatile.Read(ref _lastDemand) < quietSince && _target > _min)
            {
                _target--;
                Volatile.Write(ref _lastDemand, now);
            }
        }
    }

    private void Grow()
    {
        lock (_lock)
        {
            _target = Math.Min(_max, _target + 1);
        }
    }
}
