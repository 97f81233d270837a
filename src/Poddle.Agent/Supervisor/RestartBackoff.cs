namespace Poddle.Agent.Supervisor;

/// <summary>
/// Exponential back-off between restarts: <c>initial</c>, doubling up to <c>maximum</c>; a run that lasted at least
/// <c>resetAfter</c> was a healthy run, so the next delay starts again from <c>initial</c>. Never zero, so an app that
/// exits at once is never restarted in a busy loop.
/// </summary>
public sealed class RestartBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _maximum;
    private readonly TimeSpan _resetAfter;
    private TimeSpan _next;

    public RestartBackoff(TimeSpan initial, TimeSpan maximum, TimeSpan resetAfter)
    {
        _initial = initial;
        _maximum = maximum;
        _resetAfter = resetAfter;
        _next = initial;
    }

    /// <summary>The delay before the next start, given how long the last run lasted.</summary>
    public TimeSpan NextDelay(TimeSpan lastUptime)
    {
        if (lastUptime >= _resetAfter)
        {
            _next = _initial;
        }

        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_maximum.Ticks, delay.Ticks * 2));
        return delay;
    }
}
