using Microsoft.EntityFrameworkCore;
using Poddle.Core.Curriculum;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Curriculum;

public sealed class CurriculumSeederTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Seed_EmptyDatabase_StoresTheStarterCurriculumAsVersionOne(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        var starter = CurriculumLoader.LoadStarter();

        var added = await harness.SeedAsync();

        Assert.Equal((starter.Levels.Count, starter.Problems.Count), added);
        var stored = await harness.Catalog.ListAsync(CancellationToken.None);
        Assert.Equal(starter.Problems.Select(p => p.Id), stored.Select(p => p.Problem.Id));
        foreach (var problem in stored)
        {
            // The stored content is the shipped file, hidden cases and solutions included.
            Assert.Equal(ProblemFileWriter.Write(starter.FindProblem(problem.Problem.Id)!), ProblemFileWriter.Write(problem.Problem));
            Assert.Equal(1, problem.Version);
            Assert.False(problem.Archived);
            Assert.Null(problem.AuthorId);
        }

        var levels = await harness.Catalog.LevelsAsync(CancellationToken.None);
        Assert.Equal(starter.Levels.Select(l => (l.AgeGroup, l.Number, l.Title, l.Cheatsheet)), levels.Select(l => (l.AgeGroup, l.Number, l.Title, l.Cheatsheet)));
        Assert.Equal(starter.Levels.Select(l => string.Join("|", l.Sessions)), levels.Select(l => string.Join("|", l.Sessions)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Seed_SecondStartAndSecondServer_AddNothing(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();
        var rows = await harness.CountRowsAsync();

        Assert.Equal((0, 0), await harness.SeedAsync());
        await using var second = await harness.SecondServerAsync();
        Assert.Equal((0, 0), await second.SeedAsync());

        Assert.Equal(rows, await harness.CountRowsAsync());
        Assert.Equal((30, 30, 6), rows);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Seed_TwoServersAtOnce_StoreEachRowOnce(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await using var second = await harness.SecondServerAsync();

        var results = await Task.WhenAll(harness.SeedAsync(), second.SeedAsync());

        Assert.Equal((30, 30, 6), await harness.CountRowsAsync());
        Assert.Equal(30, results.Sum(r => r.Problems));
        Assert.Equal(6, results.Sum(r => r.Levels));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Seed_AfterAnAdminEditedAndArchivedStarterProblems_KeepsTheirChanges(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();
        var starter = CurriculumLoader.LoadStarter();
        var original = starter.FindProblem("k-add")!;
        var edit = new ProblemDraft(
            null, "Add two numbers (edited)", original.AgeGroup, original.Level, original.Session, original.Order, original.Tags, "Edited statement.",
            original.StarterCode, null, null, null, original.FunctionName,
            [.. original.Tests.Select(t => new TestCaseDraft(t.Stdin, t.ExpectedStdout, t.Call, t.Expected, t.Hidden))], null, null);
        Assert.True((await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.Admin, "k-add", edit, CancellationToken.None))).IsSuccess);
        Assert.True((await harness.WithServiceAsync(s => s.ArchiveAsync(CurriculumHarness.Admin, "k-echo-cave", CancellationToken.None))).IsSuccess);

        // A restart, and a newer Poddle whose starter set changed the same problem: the stored edit wins.
        await using var restarted = await harness.SecondServerAsync();
        var changedStarter = new CurriculumSet(starter.Levels, [.. starter.Problems.Select(p => p.Id == "k-add" ? p with { Title = "Shipped again" } : p)]);
        Assert.Equal((0, 0), await restarted.SeedAsync(changedStarter));

        var kAdd = await restarted.Catalog.FindAsync("k-add", CancellationToken.None);
        Assert.Equal(("Add two numbers (edited)", "Edited statement.", 2), (kAdd!.Problem.Title, kAdd.Problem.Statement, kAdd.Version));
        Assert.True((await restarted.Catalog.FindAsync("k-echo-cave", CancellationToken.None))!.Archived);
        await using var db = harness.Database.CreateContext();
        Assert.Equal(ProblemOrigin.Starter, (await db.Set<StoredProblem>().SingleAsync(p => p.Id == "k-add")).Origin);
    }
}
