using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Common;
using Poddle.Core.Executions;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Testing;

namespace Poddle.Core.Tests.Executions;

public sealed class ExecutionServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Submit_ThenWorkerRuns_StoresResultAndCompletes(DatabaseProvider provider)
    {
        await using var harness = await ExecutionsHarness.CreateAsync(provider);

        var submitted = await harness.SubmitAsync(ExecutionsHarness.Python("print(input())", stdin: "hi\n"));

        Assert.True(submitted.IsSuccess);
        var queued = await harness.GetAsync(submitted.Value.Id);
        Assert.Equal(ExecutionStatus.Queued, queued.Status);
        Assert.True(await harness.RunNextAsync());

        var done = await harness.GetAsync(submitted.Value.Id);
        Assert.Equal(ExecutionStatus.Completed, done.Status);
        Assert.Equal("ok", done.Verdict);
        Assert.Equal("3.11.2", done.Version);
        Assert.NotNull(done.StartedAt);
        Assert.NotNull(done.CompletedAt);
        var result = StoredExecutionResult.FromJson(done.ResultJson)!;
        Assert.Equal("hi\n"u8.ToArray(), result.Run!.Stdout);
        Assert.Equal(new byte[] { 0xff, 0xfe }, result.Run.Stderr);
        Assert.Equal("main.py", harness.Executor.LastRequest!.Files[0].Name);
        Assert.Equal(new ExecutionLimits(5_000, 10_000, 128), harness.Executor.LastRequest.RunLimits);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Handler_RedeliveredAfterCompletion_DoesNotRunTheProgramAgain(DatabaseProvider provider)
    {
        await using var harness = await ExecutionsHarness.CreateAsync(provider);
        var submitted = await harness.SubmitAsync(ExecutionsHarness.Python("print(1)"));
        Assert.True(await harness.RunNextAsync());

        await using (var scope = harness.Scope())
        {
            var handler = scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(ExecutionService.JobKind);
            await handler.HandleAsync(new JobContext(Guid.NewGuid(), ExecutionService.JobKind, submitted.Value.Id.ToString(), 2, 3, "again"), CancellationToken.None);
        }

        Assert.Equal(1, harness.Executor.Calls);
    }

    [Fact]
    public async Task Submit_CompileError_IsCompletedWithCompileErrorVerdict()
    {
        await using var harness = await ExecutionsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var submitted = await harness.SubmitAsync(new ExecutionSubmission("gcc", [new CodeFile("", "error"u8.ToArray())]));

        Assert.True(await harness.RunNextAsync());

        var done = await harness.GetAsync(submitted.Value.Id);
        Assert.Equal("c", done.Language);
        Assert.Equal("compile_error", done.Verdict);
        Assert.Equal(ExecutionStatus.Completed, done.Status);
        Assert.Null(StoredExecutionResult.FromJson(done.ResultJson)!.Run);
    }

    [Fact]
    public async Task Submit_BadInput_NamesTheFieldAndStoresNothing()
    {
        await using var harness = await ExecutionsHarness.CreateAsync(DatabaseProvider.Sqlite);

        var unknown = await harness.SubmitAsync(ExecutionsHarness.Python("x") with { Language = "cobol" });
        var missing = await harness.SubmitAsync(ExecutionsHarness.Python("x") with { Language = null });
        var empty = await harness.SubmitAsync(ExecutionsHarness.Python(""));
        var tooBig = await harness.SubmitAsync(ExecutionsHarness.Python(new string('x', 64 * 1024 + 1)));
        var bigStdin = await harness.SubmitAsync(ExecutionsHarness.Python("x", stdin: new string('x', 1024 * 1024 + 1)));
        var limits = await harness.SubmitAsync(ExecutionsHarness.Python("x", limits: new LimitRequest(CpuMs: 999_999, WallMs: 0, MemoryMb: null)));
        var badName = await harness.SubmitAsync(new ExecutionSubmission("python", [new CodeFile("../evil.py", "x"u8.ToArray())]));
        var nulArg = await harness.SubmitAsync(ExecutionsHarness.Python("x") with { Args = ["a\0b"] });

        Assert.Equal(["Language"], unknown.Error!.Fields!.Keys);
        Assert.Contains("python", unknown.Error.Fields["Language"][0], StringComparison.Ordinal);
        Assert.Equal(["Language"], missing.Error!.Fields!.Keys);
        Assert.Equal(["Files"], empty.Error!.Fields!.Keys);
        Assert.Equal((ErrorKind.TooLarge, "Files"), (tooBig.Error!.Kind, tooBig.Error.Fields!.Keys.Single()));
        Assert.Equal((ErrorKind.TooLarge, "Stdin"), (bigStdin.Error!.Kind, bigStdin.Error.Fields!.Keys.Single()));
        Assert.Equal(["Limits.CpuMs", "Limits.WallMs"], limits.Error!.Fields!.Keys.Order());
        Assert.Equal(["Files"], badName.Error!.Fields!.Keys);
        Assert.Equal(["Args"], nulArg.Error!.Fields!.Keys);
        await using var db = harness.Database.CreateContext();
        Assert.Empty(db.Set<Execution>());
        Assert.Empty(db.Set<Job>());
    }

    [Fact]
    public async Task Submit_BeyondPerMinuteLimit_IsRateLimitedUntilTheWindowPasses()
    {
        await using var harness = await ExecutionsHarness.CreateAsync(DatabaseProvider.Sqlite, o => o.RateLimit.PerMinute = 2);
        var bob = Submitter.User(Guid.NewGuid(), isAdmin: false);

        Assert.True((await harness.SubmitAsync(ExecutionsHarness.Python("1"))).IsSuccess);
        harness.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True((await harness.SubmitAsync(ExecutionsHarness.Python("2"))).IsSuccess);
        var third = await harness.SubmitAsync(ExecutionsHarness.Python("3"));
        var otherUser = await harness.SubmitAsync(ExecutionsHarness.Python("4"), bob);
        var adminUser = Submitter.User(Guid.NewGuid(), isAdmin: true);
        var admin = new[] { await harness.SubmitAsync(ExecutionsHarness.Python("a"), adminUser), await harness.SubmitAsync(ExecutionsHarness.Python("b"), adminUser), await harness.SubmitAsync(ExecutionsHarness.Python("c"), adminUser) };

        Assert.Equal(ErrorKind.RateLimited, third.Error!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(50), third.Error.RetryAfter);
        Assert.True(otherUser.IsSuccess);
        Assert.All(admin, a => Assert.True(a.IsSuccess));
        harness.Clock.Advance(TimeSpan.FromSeconds(51));
        Assert.True((await harness.SubmitAsync(ExecutionsHarness.Python("6"))).IsSuccess);
    }

    [Fact]
    public async Task Submit_QueueFull_IsUnavailableWithRetryAfter()
    {
        await using var harness = await ExecutionsHarness.CreateAsync(DatabaseProvider.Sqlite, o =>
        {
            o.MaxQueueDepth = 2;
            o.RateLimit.PerMinute = 100;
        });
        var admin = Submitter.User(Guid.NewGuid(), isAdmin: true);
        Assert.True((await harness.SubmitAsync(ExecutionsHarness.Python("1"), admin)).IsSuccess);
        Assert.True((await harness.SubmitAsync(ExecutionsHarness.Python("2"), admin)).IsSuccess);

        var full = await harness.SubmitAsync(ExecutionsHarness.Python("3"), admin);

        Assert.Equal((ErrorKind.Unavailable, "queue-full"), (full.Error!.Kind, full.Error.Code));
        Assert.Equal(TimeSpan.FromSeconds(5), full.Error.RetryAfter);
        Assert.True(await harness.RunNextAsync());
        Assert.True((await harness.SubmitAsync(ExecutionsHarness.Python("4"), admin)).IsSuccess);
    }

    [Fact]
    public async Task Wait_IsWokenByTheWorkerWithoutTheClockMoving()
    {
        await using var harness = await ExecutionsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var submitted = await harness.SubmitAsync(ExecutionsHarness.Python("print(1)"));
        await using var scope = harness.Scope();
        var service = scope.ServiceProvider.GetRequiredService<ExecutionService>();

        var waiting = service.WaitAsync(submitted.Value.Id, TimeSpan.FromSeconds(30), CancellationToken.None);
        // A negative check, so a short fixed window: the wait does not end by itself before the worker runs.
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Assert.True(await harness.RunNextAsync());

        // The fake clock never advances, so only the worker's push can end the wait.
        var done = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ExecutionStatus.Completed, done!.Status);
    }

    [Fact]
    public async Task Get_AnotherUsersExecution_IsNotFound()
    {
        await using var harness = await ExecutionsHarness.CreateAsync(DatabaseProvider.Sqlite);
        var submitted = await harness.SubmitAsync(ExecutionsHarness.Python("print(1)"));
        await using var scope = harness.Scope();
        var service = scope.ServiceProvider.GetRequiredService<ExecutionService>();

        Assert.True((await service.GetAsync(ExecutionsHarness.Alice.UserId!.Value, submitted.Value.Id, CancellationToken.None)).IsSuccess);
        Assert.Equal(ErrorKind.NotFound, (await service.GetAsync(Guid.NewGuid(), submitted.Value.Id, CancellationToken.None)).Error!.Kind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Expiry_DeletesFinishedExecutionsPastRetentionOnly(DatabaseProvider provider)
    {
        await using var harness = await ExecutionsHarness.CreateAsync(provider, o => o.RateLimit.ExemptAdmins = true);
        var admin = Submitter.User(Guid.NewGuid(), isAdmin: true);
        var old = await harness.SubmitAsync(ExecutionsHarness.Python("old"), admin);
        var oldQueued = await harness.SubmitAsync(ExecutionsHarness.Python("old, never run"), admin);
        await using (var db = harness.Database.CreateContext())
        {
            // Finish the first by hand so the second stays queued.
            var e = await db.Set<Execution>().FindAsync(old.Value.Id);
            e!.Status = ExecutionStatus.Completed;
            await db.SaveChangesAsync();
        }

        harness.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        var recent = await harness.SubmitAsync(ExecutionsHarness.Python("recent"), admin);
        await using (var scope = harness.Scope())
        {
            var expiry = scope.ServiceProvider.GetRequiredKeyedService<IJobHandler>(ExecutionExpiryJob.JobKind);
            await expiry.HandleAsync(new JobContext(Guid.NewGuid(), ExecutionExpiryJob.JobKind, null, 1, 1, "o"), CancellationToken.None);
        }

        await using var check = harness.Database.CreateContext();
        Assert.Equal(
            new[] { oldQueued.Value.Id, recent.Value.Id }.Order(),
            check.Set<Execution>().Select(e => e.Id).AsEnumerable().Order());
    }

    [Fact]
    public async Task Stats_CountsRecentAndComputesPercentiles()
    {
        await using var harness = await ExecutionsHarness.CreateAsync(DatabaseProvider.Sqlite, o => o.RateLimit.PerMinute = 100);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await harness.SubmitAsync(ExecutionsHarness.Python($"print({i})"))).IsSuccess);
        }

        Assert.True(await harness.RunNextAsync());
        Assert.True(await harness.RunNextAsync());
        await using var scope = harness.Scope();

        var stats = await scope.ServiceProvider.GetRequiredService<ExecutionService>().GetStatsAsync(CancellationToken.None);

        Assert.Equal((1, 0, 2, 0), (stats.Depth, stats.Processing, stats.CompletedLastMinute, stats.FailedLastMinute));
        Assert.Equal(0, stats.WaitP50Ms);
        Assert.Equal("python", Assert.Single(stats.Pools).Language);
    }

    [Fact]
    public void Percentile_NearestRank()
    {
        double[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        Assert.Equal(5, ExecutionService.Percentile(values, 0.5));
        Assert.Equal(10, ExecutionService.Percentile(values, 0.95));
        Assert.Null(ExecutionService.Percentile([], 0.5));
    }
}
