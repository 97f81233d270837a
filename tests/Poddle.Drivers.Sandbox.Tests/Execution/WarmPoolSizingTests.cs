using Microsoft.Extensions.Time.Testing;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Drivers.Sandbox.Tests.Execution;

/// <summary>The pool grows under a burst of requests and shrinks back when idle (on a fake clock).</summary>
public sealed class WarmPoolSizingTests
{
    [SandboxFact]
    public async Task Target_GrowsOnBurst_ShrinksWhenIdle()
    {
        var workRoot = ExecutorFixture.NewWorkRoot();
        var clock = new FakeTimeProvider();
        var options = ExecutorFixture.Options(workRoot, "/poddle-sandbox-tests-sizing");
        options.Languages.Add("bash");
        options.VerifyLanguages = false;
        options.WarmPool.MaxPerLanguage = 4;
        options.WarmPool.ShrinkAfter = TimeSpan.FromSeconds(60);
        try
        {
            await using var executor = await SandboxCodeExecutor.StartAsync(options, timeProvider: clock);
            await ExecutorFixture.WaitReadyAsync(executor, "bash");
            Assert.Equal(1, Stats(executor).Target);

            var burst = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => executor.ExecuteAsync(
                new CodeExecutionRequest("bash", [new CodeFile("main.sh", "echo ok"u8.ToArray())]), CancellationToken.None)));

            Assert.All(burst, r => Assert.Equal("ok\n"u8.ToArray(), r.Run!.Stdout));
            var grown = Stats(executor);
            Assert.Equal(4, grown.Hits + grown.Misses);
            Assert.InRange(grown.Target, 2, 4);
            await ExecutorFixture.WaitReadyAsync(executor, "bash", grown.Target);

            for (var i = 0; i < grown.Target + 1; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(61));
                await WaitUntilAsync(() => Stats(executor).Target <= Math.Max(1, grown.Target - i - 1), "the pool shrinks by one");
            }

            Assert.Equal(1, Stats(executor).Target);
            await WaitUntilAsync(() => Stats(executor).Ready == 1, "one prepared run is ready");
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }

    [SandboxFact]
    public async Task Prepared_OlderThanMaxIdle_Recycled()
    {
        var workRoot = ExecutorFixture.NewWorkRoot();
        var clock = new FakeTimeProvider();
        var options = ExecutorFixture.Options(workRoot, "/poddle-sandbox-tests-recycle");
        options.Languages.Add("bash");
        options.VerifyLanguages = false;
        options.WarmPool.MaxIdle = TimeSpan.FromMinutes(5);
        try
        {
            await using var executor = await SandboxCodeExecutor.StartAsync(options, timeProvider: clock);
            await ExecutorFixture.WaitReadyAsync(executor, "bash");
            var first = RunDirectories(workRoot);
            Assert.Single(first);

            clock.Advance(TimeSpan.FromMinutes(4));
            await Task.Delay(1_500);
            Assert.Equal(first, RunDirectories(workRoot));

            clock.Advance(TimeSpan.FromMinutes(2));
            await WaitUntilAsync(() => RunDirectories(workRoot) is [var only] && only != first[0], "the old prepared run is recycled");
            var stats = Stats(executor);
            Assert.Equal((0, 0), (stats.Hits, stats.Misses));
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }

    private static List<string> RunDirectories(string workRoot) =>
        Directory.EnumerateDirectories(workRoot).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    private static WarmPoolStats Stats(SandboxCodeExecutor executor) => executor.GetPoolStats().Single();

    // The pool's loop looks at the (fake) clock at least once a second of real time, so it adapts within 5 s.
    private static Task WaitUntilAsync(Func<bool> condition, string what) =>
        Poll.UntilAsync(condition, what, TimeSpan.FromSeconds(5));
}
