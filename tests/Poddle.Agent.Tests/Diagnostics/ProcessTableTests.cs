using Poddle.Agent.Diagnostics;

namespace Poddle.Agent.Tests.Diagnostics;

public sealed class ProcessTableTests
{
    [Fact]
    public void ParseStat_NameWithSpacesAndParentheses()
    {
        var stat = ProcessTable.ParseStat("4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 123456 1000000 500 18446744073709551615");

        Assert.Equal(("my (odd) app", "S", 300L, 123456L), stat);
        Assert.Null(ProcessTable.ParseStat("garbage"));
    }

    [Fact]
    public async Task Read_RealProc_ListsThisProcessWithMemory()
    {
        var processes = await ProcessTable.ReadAsync("/proc", TimeSpan.FromMilliseconds(100), TimeProvider.System, CancellationToken.None);

        var self = Assert.Single(processes, p => p.Pid == Environment.ProcessId);
        Assert.True(self.RssBytes > 10 << 20, self.ToString());
        Assert.InRange(self.MemoryPercent, 0.01, 100);
        Assert.Contains(processes, p => p.Pid == 1);
    }
}
