using Poddle.Agent.Supervisor;

namespace Poddle.Agent.Tests.Supervisor;

public sealed class RestartBackoffTests
{
    [Fact]
    public void NextDelay_ShortRuns_DoublesUpToTheMaximum()
    {
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30));

        var delays = Enumerable.Range(0, 9).Select(_ => backoff.NextDelay(TimeSpan.Zero).TotalSeconds).ToList();

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], delays);
    }

    [Fact]
    public void NextDelay_AfterARunLongerThanResetAfter_StartsAgainFromTheFirstDelay()
    {
        var backoff = new RestartBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30));
        backoff.NextDelay(TimeSpan.Zero);
        backoff.NextDelay(TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.NextDelay(TimeSpan.FromSeconds(29)));

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.NextDelay(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.NextDelay(TimeSpan.FromSeconds(1)));
    }
}
