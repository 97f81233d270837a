using System.Text;
using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Curriculum;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Core.Tests.Curriculum;

public sealed class ProblemServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Update_AddsAnImmutableVersion_AndTheProblemPointsToIt(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();
        var created = await harness.WithServiceAsync(s => s.CreateAsync(CurriculumHarness.Teacher, CurriculumHarness.Draft("triple"), CancellationToken.None));
        Assert.Equal((1, ProblemOrigin.Teacher, CurriculumHarness.Teacher.UserId), (created.Value.Version, created.Value.Origin, created.Value.AuthorId!.Value));
        await using (var db = harness.Database.CreateContext())
        {
            Assert.Equal(1, (await db.Set<StoredProblem>().SingleAsync(p => p.Id == "triple")).CurrentVersion);
        }

        var firstContent = await VersionContentAsync(harness, "triple", 1);

        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        var updated = await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.Teacher, "triple", CurriculumHarness.Draft("anything", "Triple v2", hiddenExpected: "30"), CancellationToken.None));

        Assert.Equal((2, "Triple v2"), (updated.Value.Version, updated.Value.Problem.Title));
        Assert.Equal(firstContent, await VersionContentAsync(harness, "triple", 1));
        var versions = await harness.WithServiceAsync(s => s.VersionsAsync(CurriculumHarness.Teacher, "triple", CancellationToken.None));
        Assert.Equal([(2, "Triple v2"), (1, "Triple it")], versions.Value.Select(v => (v.Version, v.Title)));
        Assert.Equal([(2, 1), (2, 1)], versions.Value.Select(v => (v.PublicTests, v.HiddenTests)));
        await using var check = harness.Database.CreateContext();
        Assert.Equal(2, (await check.Set<StoredProblem>().SingleAsync(p => p.Id == "triple")).CurrentVersion);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Archive_LeavesListsButKeepsEveryRow(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();
        await harness.WithServiceAsync(s => s.CreateAsync(CurriculumHarness.Teacher, CurriculumHarness.Draft("triple"), CancellationToken.None));
        var rows = await harness.CountRowsAsync();

        var archived = await harness.WithServiceAsync(s => s.ArchiveAsync(CurriculumHarness.Teacher, "triple", CancellationToken.None));

        Assert.True(archived.Value.Archived);
        Assert.Equal(rows, await harness.CountRowsAsync());
        var listed = await harness.WithServiceAsync(s => s.ListAsync(CurriculumHarness.Student, new ProblemFilter(), CancellationToken.None));
        Assert.DoesNotContain(listed.Value, p => p.Problem.Id == "triple");
        var withArchived = await harness.WithServiceAsync(s => s.ListAsync(CurriculumHarness.Teacher, new ProblemFilter(IncludeArchived: true), CancellationToken.None));
        Assert.Contains(withArchived.Value, p => p.Problem.Id == "triple" && p.Archived);
        Assert.Equal(ErrorKind.Forbidden, (await harness.WithServiceAsync(s => s.ListAsync(CurriculumHarness.Student, new ProblemFilter(IncludeArchived: true), CancellationToken.None))).Error!.Kind);

        // Grading and progress still find it, marked archived.
        Assert.True((await harness.Catalog.FindAsync("triple", CancellationToken.None))!.Archived);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Writes_ByRoleAndAuthor_OnlyTheAuthorOrAnAdminChangeAProblem(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();
        await harness.WithServiceAsync(s => s.CreateAsync(CurriculumHarness.Teacher, CurriculumHarness.Draft("triple"), CancellationToken.None));
        var draft = CurriculumHarness.Draft("triple", "Mine now");

        Assert.Equal(ErrorKind.Forbidden, (await harness.WithServiceAsync(s => s.CreateAsync(CurriculumHarness.Student, CurriculumHarness.Draft("student-made"), CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.Student, "triple", draft, CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.OtherTeacher, "triple", draft, CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await harness.WithServiceAsync(s => s.ArchiveAsync(CurriculumHarness.OtherTeacher, "triple", CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.Teacher, "k-add", draft, CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await harness.WithServiceAsync(s => s.ExportAsync(CurriculumHarness.OtherTeacher, "triple", CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, (await harness.WithServiceAsync(s => s.TestsAsync(CurriculumHarness.Student, "triple", includeHidden: true, CancellationToken.None))).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, (await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.Admin, "no-such-problem", draft, CancellationToken.None))).Error!.Kind);
        Assert.Equal(1, (await harness.Catalog.FindAsync("triple", CancellationToken.None))!.Version);

        var byAdmin = await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.Admin, "triple", draft, CancellationToken.None));
        Assert.Equal((2, CurriculumHarness.Teacher.UserId), (byAdmin.Value.Version, byAdmin.Value.AuthorId!.Value));
        var starterByAdmin = await harness.WithServiceAsync(s => s.UpdateAsync(CurriculumHarness.Admin, "k-add", draft with { Level = 1, Session = "Numbers" }, CancellationToken.None));
        Assert.Equal((2, ProblemOrigin.Starter), (starterByAdmin.Value.Version, starterByAdmin.Value.Origin));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Create_ExistingIdOrInvalidFields_FailsNamingTheField(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();

        var exists = await harness.WithServiceAsync(s => s.CreateAsync(CurriculumHarness.Teacher, CurriculumHarness.Draft("k-add"), CancellationToken.None));
        Assert.Equal((ErrorKind.Conflict, "problem-exists"), (exists.Error!.Kind, exists.Error.Code));
        Assert.Contains("Id", exists.Error.Fields!.Keys);

        var bad = CurriculumHarness.Draft("bad") with
        {
            Level = 9,
            Tests = [new TestCaseDraft(null, null, "triple(1)", "3", false), new TestCaseDraft("1\n", null, null, null, false), new TestCaseDraft(null, null, "triple(2)", null, null)],
        };
        var invalid = await harness.WithServiceAsync(s => s.CreateAsync(CurriculumHarness.Teacher, bad, CancellationToken.None));
        Assert.Equal(ErrorKind.Validation, invalid.Error!.Kind);
        Assert.Equal(["level", "tests[1].expectedStdout", "tests[2].expected", "tests[2].hidden"], invalid.Error.Fields!.Keys.Order(StringComparer.Ordinal));

        // No id: the slug of the title.
        var slugged = await harness.WithServiceAsync(s => s.CreateAsync(CurriculumHarness.Teacher, CurriculumHarness.Draft(null!, "Triple It, Twice!"), CancellationToken.None));
        Assert.Equal("triple-it-twice", slugged.Value.Problem.Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task ImportThenExport_RoundTripsTheFile_AndVersionsItForItsAuthorOnly(DatabaseProvider provider)
    {
        await using var harness = await CurriculumHarness.CreateAsync(provider);
        await harness.SeedAsync();
        // Without solutions: the scripted executor here runs nothing (the server tests grade reference solutions on the real sandbox).
        var yaml = CurriculumLoaderTests.ProblemYaml("shared-add", ("session: \"Numbers\"", "session: \"Hello, Python\""));
        yaml = yaml[..yaml.IndexOf("referenceSolution:", StringComparison.Ordinal)];

        var imported = await ImportAsync(harness, CurriculumHarness.Teacher, yaml);
        Assert.True(imported.Value.Created);
        var exported = await harness.WithServiceAsync(s => s.ExportAsync(CurriculumHarness.Teacher, "shared-add", CancellationToken.None));
        var original = CurriculumLoader.ReadProblem("a", new MemoryStream(Encoding.UTF8.GetBytes(yaml)), await harness.Catalog.LevelsAsync(CancellationToken.None), CurriculumRules.Teacher);
        Assert.Equal(ProblemFileWriter.Write(original), exported.Value);

        var again = await ImportAsync(harness, CurriculumHarness.Teacher, exported.Value.Replace("title: Add", "title: Add again", StringComparison.Ordinal));
        Assert.Equal((false, 2, "Add again"), (again.Value.Created, again.Value.Problem.Version, again.Value.Problem.Problem.Title));

        var other = await ImportAsync(harness, CurriculumHarness.OtherTeacher, exported.Value);
        Assert.Equal((ErrorKind.Conflict, "problem-exists"), (other.Error!.Kind, other.Error.Code));
        Assert.Equal(ErrorKind.Forbidden, (await ImportAsync(harness, CurriculumHarness.Student, exported.Value)).Error!.Kind);
        var broken = await ImportAsync(harness, CurriculumHarness.Teacher, yaml.Replace("hidden: true }", "hidden: true, secret: 1 }", StringComparison.Ordinal));
        Assert.Equal(ErrorKind.Validation, broken.Error!.Kind);
        Assert.Equal(ErrorKind.TooLarge, (await ImportAsync(harness, CurriculumHarness.Teacher, new string('#', ProblemService.MaxImportBytes + 1))).Error!.Kind);
        Assert.Equal(2, (await harness.Catalog.FindAsync("shared-add", CancellationToken.None))!.Version);
    }

    private static Task<Result<(StoredProblemView Problem, bool Created)>> ImportAsync(CurriculumHarness harness, CurriculumCaller caller, string yaml) =>
        harness.WithServiceAsync(s => s.ImportAsync(caller, new MemoryStream(Encoding.UTF8.GetBytes(yaml)), CancellationToken.None));

    private static async Task<string> VersionContentAsync(CurriculumHarness harness, string id, int version)
    {
        await using var db = harness.Database.CreateContext();
        return (await db.Set<StoredProblemVersion>().SingleAsync(v => v.ProblemId == id && v.Version == version)).ContentJson;
    }
}
