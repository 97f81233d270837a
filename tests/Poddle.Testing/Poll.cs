using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Poddle.Testing;

/// <summary>
/// The one way tests wait for something another process, thread or real I/O does: poll a condition until a deadline,
/// then fail with what was awaited and, when the caller can say, what the state is now. Code that takes a
/// <see cref="TimeProvider"/> is tested on a fake clock instead; this is for what a fake clock cannot drive.
/// </summary>
public static class Poll
{
    /// <summary>The deadline when a test names none: long enough for a loaded CI machine, short enough to fail.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(
            () => Task.FromResult(condition()),
            what,
            timeout,
            describe is null ? null : () => Task.FromResult(describe()));
    }

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    /// <param name="condition">Checked every 50 ms; it may throw to end the wait early (a process it waits on exited).</param>
    /// <param name="what">What is awaited, as in "timed out waiting until {what}".</param>
    /// <param name="timeout">The deadline; <see cref="DefaultTimeout"/> when null.</param>
    /// <param name="describe">What the state is now, added to the failure message.</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<Task<string>>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                var now = describe is null ? "" : $" Now: {await describe()}";
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting until {what}.{now}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, advancing <paramref name="clock"/> by <paramref name="step"/>
    /// after each miss: for code on a fake clock that also waits for real I/O (an HTTP call between two back-offs).
    /// Keep <paramref name="step"/> well below the code's own time-outs, so an I/O in flight is not timed out by the advance.
    /// </summary>
    public static Task AdvancingUntilAsync(FakeTimeProvider clock, TimeSpan step, Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                clock.Advance(step);
                return false;
            },
            what,
            timeout,
            () => $"the fake clock reads {clock.GetUtcNow():O}");
    }
}
