using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Poddle.Core.Jobs;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Jobs;

public sealed class JobHandlerResolutionTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunNext_OtherKindsRegistered_BuildsOnlyTheJobsOwnHandler(DatabaseProvider provider)
    {
        var built = new BuildCounter();
        await using var jobs = await JobsHarness.CreateAsync(provider, configure: services =>
        {
            services.AddSingleton(built);
            services.AddJobHandler<CountingHandler>(CountingHandler.JobKind);
        });
        await jobs.EnqueueAsync();

        Assert.True(await jobs.Processor.RunNextAsync(CancellationToken.None));

        Assert.Single(jobs.Handler.Seen);
        Assert.Equal(0, built.Count);
    }

    [Fact]
    public void JobKindsValidator_LaneKindWithoutHandler_FailsNamingTheLaneAndKind()
    {
        var services = new ServiceCollection();
        services.AddPoddleJobs();
        services.AddJobLane(_ => new JobLane("reports", ["report.build"], 1));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<JobsOptions>>().Value);

        Assert.Contains("'reports'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'report.build'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JobKindsValidator_GateKindWithoutHandler_FailsNamingTheKind()
    {
        var services = new ServiceCollection();
        services.AddPoddleJobs();
        services.AddJobReadinessGate("the mail server", ["mail.send"], _ => Task.CompletedTask);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<JobsOptions>>().Value);

        Assert.Contains("'mail.send'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JobKindsValidator_EveryKindHasAHandler_Succeeds()
    {
        var services = new ServiceCollection();
        services.AddPoddleJobs();
        services.AddJobLane(_ => new JobLane("counting", [CountingHandler.JobKind], 1));
        services.AddSingleton(new BuildCounter());
        services.AddJobHandler<CountingHandler>(CountingHandler.JobKind);
        using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<IOptions<JobsOptions>>().Value);
    }

    public sealed class BuildCounter
    {
        private int _count;

        public int Count => _count;

        public void Increment() => Interlocked.Increment(ref _count);
    }

    /// <summary>Counts how often it is built: a job of another kind must not build it.</summary>
    private sealed class CountingHandler : IJobHandler
    {
        public const string JobKind = "test.counting";

        public CountingHandler(BuildCounter counter) => counter.Increment();

        public string Kind => JobKind;

        public Task HandleAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
