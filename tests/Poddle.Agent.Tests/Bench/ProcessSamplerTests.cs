using Poddle.Agent.Bench;

namespace Poddle.Agent.Tests.Bench;

public sealed class ProcessSamplerTests
{
    [Fact]
    public void CpuTicks_CommandNameWithSpacesAndParentheses_ReadsUtimePlusStime()
    {
        var stat = Path.GetTempFileName();
        try
        {
            // Fields 14 (utime) = 1500 and 15 (stime) = 250; the name "(my (app) x)" holds spaces and parentheses.
            File.WriteAllText(stat, "4242 (my (app) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 20 0 4 0 123 1000000 500 18446744073709551615");
            Assert.Equal(1750, ProcessSampler.CpuTicks(stat));
        }
        finally
        {
            File.Delete(stat);
        }

        Assert.Null(ProcessSampler.CpuTicks("/proc/0/no-such-stat"));
    }

    [Fact]
    public async Task Sampler_OnABusyThread_AgreesWithTheProcessOwnCpuTime()
    {
        using var stop = new CancellationTokenSource();
        var spin = Task.Run(() =>
        {
            var x = 0L;
            while (!stop.IsCancellationRequested)
            {
                x++;
            }

            return x;
        });
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var sampler = new ProcessSampler([Environment.ProcessId]);
        // The measurement window the sampler averages real CPU time over, not a wait for a condition.
        await Task.Delay(TimeSpan.FromMilliseconds(1600));

        // On a loaded machine the sampler's own timer may have ticked less often than every 250 ms: wait for three.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (sampler.Samples < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        var usage = await sampler.StopAsync();
        self.Refresh();
        var expected = (self.TotalProcessorTime - cpuBefore).TotalSeconds / System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds * 100;
        await stop.CancelAsync();
        await spin;

        // The machine may be loaded (the spinning thread gets what the scheduler gives it), so the sampler is checked
        // against what the kernel says this process used over the same time, not against a fixed figure.
        Assert.NotNull(usage);
        Assert.True(usage.Samples >= 3, $"{usage.Samples} samples");
        Assert.InRange(usage.CpuPercentMean, expected * 0.5 - 10, expected * 1.5 + 10);
        Assert.True(usage.CpuPercentMax > 0);
        Assert.True(usage.RssMbMax > 10, $"RSS {usage.RssMbMax} MB");
    }
}
