namespace Poddle.Core.Pools.Scaling;

/// <summary>
/// The lowest (or highest) recommendation over a sliding time window, in amortized O(1) per call: a monotonic deque
/// keeps only the recommendations that can still be the extreme (a newer value at least as extreme makes older ones
/// irrelevant). Times must not go backwards. Not thread-safe: <see cref="ScalingEngine"/> holds the lock.
/// </summary>
internal sealed class RecommendationWindow(bool lowest)
{
    private readonly LinkedList<(DateTimeOffset At, int Value)> _entries = new();

    /// <summary>Adds <paramref name="value"/> at <paramref name="at"/> and returns the extreme of the entries newer than
    /// <paramref name="at"/> minus <paramref name="window"/>, always counting the value just added (as the HPA does).</summary>
    public int Add(DateTimeOffset at, int value, TimeSpan window)
    {
        while (_entries.Last is { } last && (lowest ? last.Value.Value >= value : last.Value.Value <= value))
        {
            _entries.RemoveLast();
        }

        _entries.AddLast((at, value));
        var cutoff = at - window;
        while (_entries.Count > 1 && _entries.First!.Value.At <= cutoff)
        {
            _entries.RemoveFirst();
        }

        return _entries.First!.Value.Value;
    }

    /// <summary>When the current extreme leaves the window (null when the window holds only the newest value).</summary>
    public DateTimeOffset? ExtremeExpiresAt(TimeSpan window) =>
        _entries.Count > 1 ? _entries.First!.Value.At + window : null;
}
