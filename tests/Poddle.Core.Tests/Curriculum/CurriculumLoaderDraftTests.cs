using System.Text;
using Poddle.Core.Curriculum;

namespace Poddle.Core.Tests.Curriculum;

/// <summary>The API's bodies and problem files go through the same validation.</summary>
public sealed class CurriculumLoaderDraftTests
{
    private static readonly IReadOnlyList<Level> Levels =
        CurriculumLoader.ReadLevels("levels.yaml", new MemoryStream(Encoding.UTF8.GetBytes(CurriculumLoaderTests.Levels)));

    [Fact]
    public void ValidateDraft_SameContentAsAFile_GivesAnEqualProblem()
    {
        var fromFile = CurriculumLoader.ReadProblem("add.yaml", new MemoryStream(Encoding.UTF8.GetBytes(CurriculumLoaderTests.ProblemYaml())), Levels, CurriculumRules.Starter);
        var draft = new ProblemDraft(
            fromFile.Id, fromFile.Title, fromFile.AgeGroup, fromFile.Level, fromFile.Session, fromFile.Order, fromFile.Tags, fromFile.Statement,
            fromFile.StarterCode, "python", "trim", null, fromFile.FunctionName,
            [.. fromFile.Tests.Select(t => new TestCaseDraft(t.Stdin, t.ExpectedStdout, t.Call, t.Expected, t.Hidden))],
            fromFile.ReferenceSolution, fromFile.WrongSolution);

        var fromDraft = CurriculumLoader.ValidateDraft("request", draft, Levels, CurriculumRules.Starter);

        Assert.Equal(ProblemFileWriter.Write(fromFile), ProblemFileWriter.Write(fromDraft));
    }

    [Fact]
    public void ValidateDraft_BadFields_NamesEachAsAFileWould()
    {
        var draft = new ProblemDraft(
            "Not A Slug", null, "11-14", 1, "Numbers", null, null, "s", null, "ruby", null, new ProblemLimits(0, 4096), null,
            [new TestCaseDraft(null, null, "add(1, 2)", "3", false), null, new TestCaseDraft("1", "1", "add(1, 1)", "2", true), new TestCaseDraft(null, null, "add(1, 1)", null, true)],
            null, null);

        var errors = Assert.Throws<CurriculumException>(() => CurriculumLoader.ValidateDraft("request", draft, Levels, CurriculumRules.Teacher)).Errors;

        Assert.All(errors, e => Assert.Equal("request", e.File));
        Assert.Equal(
            ["functionName", "id", "language", "limits.cpuMs", "limits.memoryMb", "tests[1]", "tests[2]", "tests[3].expected", "title"],
            errors.Select(e => e.Field).Distinct().Order(StringComparer.Ordinal));
    }
}
