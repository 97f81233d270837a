using Poddle.Core.Curriculum;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Curriculum;

public sealed class ProblemCatalogTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reads_WithinFiveMinutes_AreServedFromTheCache(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();
        var catalog = harness.Catalog;
        await catalog.ListAsync(CancellationToken.None);
        var loads = catalog.Loads;

        await catalog.FindAsync("k-add", CancellationToken.None);
        await catalog.LevelsAsync(CancellationToken.None);
        harness.Clock.Advance(ProblemCatalog.CacheDuration - TimeSpan.FromSeconds(1));
        await catalog.ListAsync(CancellationToken.None);
        Assert.Equal(loads, catalog.Loads);

        harness.Clock.Advance(TimeSpan.FromSeconds(1));
        await catalog.ListAsync(CancellationToken.None);
        Assert.Equal(loads + 1, catalog.Loads);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Edit_InvalidatesThisServersCache_OtherServersSeeItWithinFiveMinutes(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();
        await using var other = await harness.SecondServerAsync();
        Assert.True((await harness.WithServiceAsync(s => s.CreateAsync(CurriculumHarness.Teacher, CurriculumHarness.Draft("triple"), CancellationToken.None))).IsSuccess);
        Assert.Equal(1, (await other.Catalog.FindAsync("triple", CancellationToken.None))!.Version);
        Assert.Equal(1, (await harness.Catalog.FindAsync("triple", CancellationToken.None))!.Version);

        var edited = await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.Teacher, "triple", CurriculumHarness.Draft("ignored", "Triple it, v2"), CancellationToken.None));
        Assert.True(edited.IsSuccess);

        // This server: at once. The other server: its snapshot until it expires, then the edit.
        var here = await harness.Catalog.FindAsync("triple", CancellationToken.None);
        Assert.Equal((2, "Triple it, v2"), (here!.Version, here.Problem.Title));
        Assert.Equal(1, (await other.Catalog.FindAsync("triple", CancellationToken.None))!.Version);
        harness.Clock.Advance(ProblemCatalog.CacheDuration);
        Assert.Equal(2, (await other.Catalog.FindAsync("triple", CancellationToken.None))!.Version);

        // Archive and import invalidate too.
        Assert.True((await harness.WithServiceAsync(s => s.ArchiveAsync(CurriculumHarness.Teacher, "triple", CancellationToken.None))).IsSuccess);
        Assert.True((await harness.Catalog.FindAsync("triple", CancellationToken.None))!.Archived);
        Assert.DoesNotContain(await harness.Catalog.ListAsync(CancellationToken.None), p => p.Problem.Id == "triple");

        var yaml = ProblemFileWriter.Write((await harness.Catalog.FindAsync("triple", CancellationToken.None))!.Problem with { Title = "Imported" });
        using var file = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(yaml));
        Assert.True((await harness.WithServiceAsync(s => s.ImportAsync(CurriculumHarness.Teacher, file, CancellationToken.None))).IsSuccess);
        var imported = await harness.Catalog.FindAsync("triple", CancellationToken.None);
        Assert.Equal(("Imported", 3, false), (imported!.Problem.Title, imported.Version, imported.Archived));
    }

    [Fact]
    public void SessionId_IsAgeGroupLevelAndSlugOfTheName()
    {
        Assert.Equal("11-14-1-hello-python", CurriculumSnapshot.SessionId("11-14", 1, "Hello, Python"));
        Assert.Equal("15-18-3-lists-dicts", CurriculumSnapshot.SessionId("15-18", 3, "  Lists & dicts!  "));
        Assert.Equal("a", CurriculumSlug.Of("--A--"));
        Assert.Equal(string.Empty, CurriculumSlug.Of("¡¿?!"));
    }
}
