using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Common;
using Poddle.Core.Curriculum.Submissions;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Curriculum.Submissions;

public sealed class SubmissionServiceTests
{
    private const string Right = "def add(a, b):\n    return a + b\n";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Submit_BadInput_NamesTheFieldAndStoresNothing(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        var user = Guid.NewGuid();
        harness.Catalog.Put(InMemoryProblemCatalog.SecretAdd("archived-add"));
        harness.Catalog.Archive("archived-add");

        var noCode = await harness.SubmitAsync(user, "  ");
        var noProblem = await harness.SubmitAsync(user, Right, problemId: null);
        var unknown = await harness.SubmitAsync(user, Right, problemId: "no-such-problem");
        var archived = await harness.SubmitAsync(user, Right, problemId: "archived-add");
        var tooBig = await harness.SubmitAsync(user, new string('x', 64 * 1024 + 1));
        var otherLanguage = await harness.SubmitAsync(user, Right, language: "c");

        Assert.Equal((ErrorKind.Validation, "Code"), (noCode.Error!.Kind, noCode.Error.Fields!.Keys.Single()));
        Assert.Equal((ErrorKind.Validation, "ProblemId"), (noProblem.Error!.Kind, noProblem.Error.Fields!.Keys.Single()));
        Assert.Equal(ErrorKind.NotFound, unknown.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, archived.Error!.Kind);
        Assert.Equal((ErrorKind.TooLarge, "Code"), (tooBig.Error!.Kind, tooBig.Error.Fields!.Keys.Single()));
        Assert.Equal((ErrorKind.Validation, "Language"), (otherLanguage.Error!.Kind, otherLanguage.Error.Fields!.Keys.Single()));
        await using var db = harness.Database.CreateContext();
        Assert.Equal(0, await db.Set<Submission>().CountAsync());
        Assert.Equal(0, await db.Set<Core.Jobs.Job>().CountAsync(j => j.Kind == SubmissionService.JobKind));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Submit_Valid_QueuesOneJobAndRecordsTheProblemVersion(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider);
        harness.Catalog.Put(InMemoryProblemCatalog.SecretAdd());
        var user = Guid.NewGuid();

        var submitted = await harness.SubmitAsync(user, Right, language: "py");

        Assert.True(submitted.IsSuccess);
        var stored = await harness.GetAsync(submitted.Value.Id);
        Assert.Equal((SubmissionStatus.Queued, "secret-add", 2, "python", user), (stored.Status, stored.ProblemId, stored.ProblemVersion, stored.Language, stored.OwnerId));
        Assert.Equal(Right, stored.Code);
        await using var db = harness.Database.CreateContext();
        var job = await db.Set<Core.Jobs.Job>().SingleAsync(j => j.Kind == SubmissionService.JobKind);
        Assert.Equal(submitted.Value.Id.ToString(), job.Payload);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RateLimit_RunsAndGradesShareOneWindow(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider, execution: o => o.RateLimit.PerMinute = 3);
        var user = Guid.NewGuid();
        var other = Guid.NewGuid();

        Assert.True((await harness.RunAsync(user)).IsSuccess);
        Assert.True((await harness.SubmitAsync(user, Right)).IsSuccess);
        Assert.True((await harness.RunAsync(user)).IsSuccess);
        harness.Clock.Advance(TimeSpan.FromSeconds(10));
        var grade = await harness.SubmitAsync(user, Right);
        var run = await harness.RunAsync(user);

        Assert.Equal(ErrorKind.RateLimited, grade.Error!.Kind);
        Assert.Equal(ErrorKind.RateLimited, run.Error!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(50), grade.Error.RetryAfter);
        Assert.True((await harness.SubmitAsync(other, Right)).IsSuccess);
        Assert.True((await harness.SubmitAsync(user, Right, admin: true)).IsSuccess);
        harness.Clock.Advance(TimeSpan.FromSeconds(51));
        Assert.True((await harness.SubmitAsync(user, Right)).IsSuccess);
    }

    [Fact]
    public async Task Submit_QueueFull_IsUnavailableWithRetryAfter()
    {
        await using var harness = await GradingHarness.CreateAsync(DatabaseProvider.Sqlite, grading: o => o.MaxQueueDepth = 1);
        Assert.True((await harness.SubmitAsync(Guid.NewGuid(), Right)).IsSuccess);

        var full = await harness.SubmitAsync(Guid.NewGuid(), Right);

        Assert.Equal((ErrorKind.Unavailable, "queue-full"), (full.Error!.Kind, full.Error.Code));
        Assert.NotNull(full.Error.RetryAfter);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task GetAndList_OwnersOnly_NewestFirst(DatabaseProvider provider)
    {
        await using var harness = await GradingHarness.CreateAsync(provider, execution: o => o.RateLimit.PerMinute = 100);
        var owner = Guid.NewGuid();
        var other = Guid.NewGuid();
        var first = (await harness.SubmitAsync(owner, Right)).Value;
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        var shout = (await harness.SubmitAsync(owner, "print(input().upper())", problemId: "secret-shout")).Value;
        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = (await harness.SubmitAsync(owner, Right)).Value;
        var theirs = (await harness.SubmitAsync(other, Right)).Value;

        await using var scope = harness.Scope();
        var service = scope.ServiceProvider.GetRequiredService<SubmissionService>();
        var all = (await service.ListAsync(owner, null, 0, 20, CancellationToken.None)).Value;
        var adds = (await service.ListAsync(owner, "secret-add", 0, 20, CancellationToken.None)).Value;
        var page = (await service.ListAsync(owner, null, 1, 1, CancellationToken.None)).Value;

        Assert.Equal([second.Id, shout.Id, first.Id], all.Select(s => s.Id));
        Assert.Equal([second.Id, first.Id], adds.Select(s => s.Id));
        Assert.Equal([shout.Id], page.Select(s => s.Id));
        Assert.Equal("limit", (await service.ListAsync(owner, null, 0, 101, CancellationToken.None)).Error!.Fields!.Keys.Single());
        Assert.True((await service.GetAsync(owner, first.Id, CancellationToken.None)).IsSuccess);
        Assert.Equal(ErrorKind.NotFound, (await service.GetAsync(owner, theirs.Id, CancellationToken.None)).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await service.GetAsync(other, first.Id, CancellationToken.None)).Error!.Kind);
    }
}
