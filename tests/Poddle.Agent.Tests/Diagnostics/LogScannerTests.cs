using Poddle.Agent.Diagnostics;

namespace Poddle.Agent.Tests.Diagnostics;

public sealed class LogScannerTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"poddle-log-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void RecentProblems_LastErrorAndWarningLines_Masked()
    {
        var lines = new List<string> { "info: started" };
        for (var i = 0; i < 30; i++)
        {
            lines.Add($"info: tick {i}");
            lines.Add($"fail: Poddle.Agent[0] health check {i} failed");
        }

        lines.Add("warn: webhook http://bot:hunter2@hooks.local/x is down");
        lines.Add("info: all good");
        File.WriteAllLines(_path, lines);

        var problems = LogScanner.RecentProblems(_path, 3);

        Assert.Equal(["fail: Poddle.Agent[0] health check 28 failed", "fail: Poddle.Agent[0] health check 29 failed", "warn: webhook http://bot:****@hooks.local/x is down"], problems);
    }
}
