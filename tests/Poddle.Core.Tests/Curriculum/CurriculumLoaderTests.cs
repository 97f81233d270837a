using System.Text;
using Poddle.Core.Curriculum;

namespace Poddle.Core.Tests.Curriculum;

public sealed class CurriculumLoaderTests
{
    internal const string Levels = """
        levels:
          - ageGroup: "11-14"
            level: 1
            title: "First steps"
            sessions: ["Hello", "Numbers"]
            cheatsheet: |
              print("hi")
        """;

    /// <summary>A valid problem with three public and three hidden function tests; <paramref name="replace"/> edits its text.</summary>
    internal static string ProblemYaml(string id = "add", params (string From, string To)[] replace)
    {
        var text = $$"""
            id: {{id}}
            title: "Add"
            ageGroup: "11-14"
            level: 1
            session: "Numbers"
            order: 1
            tags: [functions]
            statement: |
              Add two numbers.
            starterCode: |
              def add(a, b):
                  pass
            language: python
            comparison: trim
            functionName: add
            tests:
              - { call: "add(1, 2)", expected: "3", hidden: false }
              - { call: "add(0, 0)", expected: "0", hidden: false }
              - { call: "add(2, 2)", expected: "4", hidden: false }
              - { call: "add(5, 5)", expected: "10", hidden: true }
              - { call: "add(-1, 1)", expected: "0", hidden: true }
              - { call: "add(7, 1)", expected: "8", hidden: true }
            referenceSolution: |
              def add(a, b):
                  return a + b
            wrongSolution: |
              def add(a, b):
                  return a - b
            """;
        foreach (var (from, to) in replace)
        {
            Assert.Contains(from, text, StringComparison.Ordinal);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        return text;
    }

    private static CurriculumException LoadFails(CurriculumRules rules, params (string Name, string Yaml)[] problems) =>
        Assert.Throws<CurriculumException>(() => CurriculumLoader.Load(("levels.yaml", Levels), problems, rules));

    private static void AssertError(CurriculumException ex, string file, string field, string messagePart) =>
        Assert.True(
            ex.Errors.Any(e => e.File == file && e.Field == field && e.Message.Contains(messagePart, StringComparison.Ordinal)),
            $"expected {file}: {field}: ...{messagePart}...; got: {string.Join(" | ", ex.Errors)}");

    [Fact]
    public void LoadStarter_EmbeddedSet_HasThreeLevelsPerAgeGroupAndThirtyProblems()
    {
        var set = CurriculumLoader.LoadStarter();

        Assert.Equal(
            ["11-14/1", "11-14/2", "11-14/3", "15-18/1", "15-18/2", "15-18/3"],
            set.Levels.Select(l => $"{l.AgeGroup}/{l.Number}").Order(StringComparer.Ordinal));
        Assert.All(set.Levels, l => Assert.True(l.Cheatsheet.Length > 200, $"{l.AgeGroup}/{l.Number} has a short cheatsheet"));
        Assert.Equal(30, set.Problems.Count);
        Assert.All(set.Problems, p =>
        {
            Assert.True(p.Tests.Count(t => !t.Hidden) >= 3, $"{p.Id}: fewer than 3 public tests");
            Assert.True(p.Tests.Count(t => t.Hidden) >= 3, $"{p.Id}: fewer than 3 hidden tests");
            Assert.False(string.IsNullOrWhiteSpace(p.StarterCode), $"{p.Id}: no starter code");
        });
        var add = set.FindProblem("k-add");
        Assert.NotNull(add);
        Assert.Equal("add", add.FunctionName);
        Assert.Equal(TestKind.Function, add.Tests[0].Kind);
        Assert.Equal(OutputComparison.Trim, add.Comparison);
    }

    [Fact]
    public void Load_ValidProblem_MapsEveryField()
    {
        var set = CurriculumLoader.Load(("levels.yaml", Levels), [("problems/add.yaml", ProblemYaml(replace: ("comparison: trim", "comparison: exact\nlimits: { cpuMs: 500, memoryMb: 64 }")))], CurriculumRules.Starter);

        var problem = Assert.Single(set.Problems);
        Assert.Equal("add", problem.Id);
        Assert.Equal("Numbers", problem.Session);
        Assert.Equal(["functions"], problem.Tags);
        Assert.Equal(OutputComparison.Exact, problem.Comparison);
        Assert.Equal(new ProblemLimits(500, 64), problem.Limits);
        Assert.Equal("add(1, 2)", problem.Tests[0].Call);
        Assert.Equal("3", problem.Tests[0].Expected);
        Assert.Equal("print(\"hi\")", set.Levels[0].Cheatsheet);
    }

    [Fact]
    public void Load_DuplicateIds_NamesTheSecondFileAndTheFirst()
    {
        var ex = LoadFails(CurriculumRules.Starter, ("problems/a.yaml", ProblemYaml("same")), ("problems/b.yaml", ProblemYaml("same")));

        AssertError(ex, "problems/b.yaml", "id", "problems/a.yaml");
    }

    [Fact]
    public void Load_UnknownLevelOrSession_NamesTheField()
    {
        var ex = LoadFails(
            CurriculumRules.Starter,
            ("problems/level.yaml", ProblemYaml("p1", ("level: 1", "level: 7"))),
            ("problems/session.yaml", ProblemYaml("p2", ("session: \"Numbers\"", "session: \"Loops\""))));

        AssertError(ex, "problems/level.yaml", "level", "no level 7");
        AssertError(ex, "problems/session.yaml", "session", "'Loops' is not a session");
    }

    [Fact]
    public void Load_StarterRules_NeedThreeHiddenTestsAndSolutions()
    {
        var yaml = ProblemYaml(replace: [("expected: \"10\", hidden: true", "expected: \"10\", hidden: false"), ("wrongSolution: |\n  def add(a, b):\n      return a - b", string.Empty)]);

        var ex = LoadFails(CurriculumRules.Starter, ("problems/add.yaml", yaml));

        AssertError(ex, "problems/add.yaml", "tests", "2 hidden test(s); at least 3");
        AssertError(ex, "problems/add.yaml", "wrongSolution", "required");
        // Teachers' problems need only one test and no solutions.
        Assert.Single(CurriculumLoader.Load(("levels.yaml", Levels), [("problems/add.yaml", yaml)], CurriculumRules.Teacher).Problems);
    }

    [Fact]
    public void Load_NoTests_IsAnErrorEvenForTeachers()
    {
        var yaml = ProblemYaml().Split("tests:")[0] + "tests: []\n";

        var ex = LoadFails(CurriculumRules.Teacher, ("problems/add.yaml", yaml));

        AssertError(ex, "problems/add.yaml", "tests", "at least one test");
    }

    [Fact]
    public void Load_CallTestsWithoutFunctionName_IsAnError()
    {
        var ex = LoadFails(CurriculumRules.Starter, ("problems/add.yaml", ProblemYaml(replace: ("functionName: add\n", string.Empty))));

        AssertError(ex, "problems/add.yaml", "functionName", "required when the problem has function tests");
    }

    [Fact]
    public void Load_TestOfBothKindsOrNeither_IsAnError()
    {
        var ex = LoadFails(
            CurriculumRules.Teacher,
            ("problems/add.yaml", ProblemYaml(replace: [
                ("{ call: \"add(1, 2)\", expected: \"3\", hidden: false }", "{ call: \"add(1, 2)\", expected: \"3\", stdin: \"1\", hidden: false }"),
                ("{ call: \"add(0, 0)\", expected: \"0\", hidden: false }", "{ hidden: false }"),
                ("{ call: \"add(2, 2)\", expected: \"4\", hidden: false }", "{ call: \"add(2, 2)\" }"),
            ])));

        AssertError(ex, "problems/add.yaml", "tests[0]", "not both");
        AssertError(ex, "problems/add.yaml", "tests[1]", "needs {stdin, expectedStdout} or {call, expected}");
        AssertError(ex, "problems/add.yaml", "tests[2].expected", "required");
        AssertError(ex, "problems/add.yaml", "tests[2].hidden", "required");
    }

    [Fact]
    public void Load_UnknownFieldOrBadComparison_NamesTheFile()
    {
        var ex = LoadFails(
            CurriculumRules.Starter,
            ("problems/typo.yaml", ProblemYaml("p1", ("hidden: true }", "hiden: true }"))),
            ("problems/comparison.yaml", ProblemYaml("p2", ("comparison: trim", "comparison: fuzzy"))));

        var typo = Assert.Single(ex.Errors, e => e.File == "problems/typo.yaml");
        Assert.Contains("line ", typo.Field, StringComparison.Ordinal);
        Assert.Contains("hiden", typo.Message, StringComparison.Ordinal);
        AssertError(ex, "problems/comparison.yaml", "comparison", "not one of: trim, exact");
    }

    [Fact]
    public void Load_OversizedFields_AreErrors()
    {
        var statement = "  " + new string('x', CurriculumLoader.MaxStatementBytes + 1);
        var stdin = new string('1', CurriculumLoader.MaxTestFieldBytes + 1);
        var tests = string.Join('\n', Enumerable.Range(0, CurriculumLoader.MaxTests + 1).Select(i => $"  - {{ call: \"add({i}, 0)\", expected: \"{i}\", hidden: {(i % 2 == 0 ? "true" : "false")} }}"));
        var yaml = ProblemYaml(replace: [("  Add two numbers.", statement), ("tests:\n", "tests:\n" + tests + "\n")]);
        var stdinYaml = ProblemYaml("p2", ("{ call: \"add(1, 2)\", expected: \"3\", hidden: false }", $"{{ stdin: \"{stdin}\", expectedStdout: \"3\", hidden: false }}"));

        var ex = LoadFails(CurriculumRules.Starter, ("problems/big.yaml", yaml), ("problems/stdin.yaml", stdinYaml));

        AssertError(ex, "problems/big.yaml", "statement", $"at most {CurriculumLoader.MaxStatementBytes}");
        AssertError(ex, "problems/big.yaml", "tests", $"at most {CurriculumLoader.MaxTests}");
        AssertError(ex, "problems/stdin.yaml", "tests[0].stdin", $"at most {CurriculumLoader.MaxTestFieldBytes}");
    }

    [Fact]
    public void Load_BadIdAndLimits_AreErrors()
    {
        var ex = LoadFails(CurriculumRules.Starter, ("problems/x.yaml", ProblemYaml("Add_Two", ("comparison: trim", "comparison: trim\nlimits: { cpuMs: 0, memoryMb: 100000 }"))));

        AssertError(ex, "problems/x.yaml", "id", "not a slug");
        AssertError(ex, "problems/x.yaml", "limits.cpuMs", "from 1 to");
        AssertError(ex, "problems/x.yaml", "limits.memoryMb", "from 16 to");
    }

    [Fact]
    public void ReadProblem_FromStream_ValidatesAgainstGivenLevels()
    {
        var levels = CurriculumLoader.ReadLevels("levels.yaml", new MemoryStream(Encoding.UTF8.GetBytes(Levels)));
        using var good = new MemoryStream(Encoding.UTF8.GetBytes(ProblemYaml()));
        using var bad = new MemoryStream(Encoding.UTF8.GetBytes(ProblemYaml(replace: ("ageGroup: \"11-14\"", "ageGroup: \"15-18\""))));

        Assert.Equal("add", CurriculumLoader.ReadProblem("upload.yaml", good, levels, CurriculumRules.Teacher).Id);
        var ex = Assert.Throws<CurriculumException>(() => CurriculumLoader.ReadProblem("upload.yaml", bad, levels, CurriculumRules.Teacher));
        AssertError(ex, "upload.yaml", "level", "no level 1 for age group 15-18");
    }

    [Fact]
    public void LoadDirectory_LevelsAndProblems_LoadsOrderedBySessionAndOrder()
    {
        var directory = Directory.CreateTempSubdirectory("poddle-curriculum-");
        try
        {
            Directory.CreateDirectory(Path.Join(directory.FullName, "problems"));
            File.WriteAllText(Path.Join(directory.FullName, "levels.yaml"), Levels);
            File.WriteAllText(Path.Join(directory.FullName, "problems", "b.yaml"), ProblemYaml("b-second", ("order: 1", "order: 2")));
            File.WriteAllText(Path.Join(directory.FullName, "problems", "a.yaml"), ProblemYaml("a-third", ("order: 1", "order: 3")));
            File.WriteAllText(Path.Join(directory.FullName, "problems", "c.yaml"), ProblemYaml("c-first", ("session: \"Numbers\"", "session: \"Hello\"")));

            var set = CurriculumLoader.LoadDirectory(directory.FullName, CurriculumRules.Starter);

            Assert.Equal(["c-first", "b-second", "a-third"], set.Problems.Select(p => p.Id));
            Assert.Throws<CurriculumException>(() => CurriculumLoader.LoadDirectory(Path.Join(directory.FullName, "problems"), CurriculumRules.Starter));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    public static TheoryData<string> StarterIds() => [.. CurriculumLoader.LoadStarter().Problems.Select(p => p.Id)];

    [Theory]
    [MemberData(nameof(StarterIds))]
    public void WriteThenRead_StarterProblem_RoundTrips(string id)
    {
        var set = CurriculumLoader.LoadStarter();
        var problem = set.FindProblem(id)!;

        AssertRoundTrips(problem, set.Levels);
    }

    [Fact]
    public void WriteThenRead_AwkwardStrings_RoundTrip()
    {
        var levels = CurriculumLoader.ReadLevels("levels.yaml", new MemoryStream(Encoding.UTF8.GetBytes(Levels)));
        var problem = new Problem(
            "awkward", "null", "11-14", 1, "Hello", -3, ["true", "3"], "  leading spaces\nand trailing  \n\n\n", "no newline at end",
            "python", OutputComparison.Exact, new ProblemLimits(100, null), null,
            [
                TestCase.OfStdin(string.Empty, "~", hidden: false),
                TestCase.OfStdin("3\n", "3.0", hidden: true),
                TestCase.OfStdin("\ttab\r\nwindows\n", "a: b\n# not a comment\n", hidden: false),
                TestCase.OfStdin("'quoted' \"double\"\n", "ünïcödé ✓\n", hidden: true),
            ],
            null, null);

        AssertRoundTrips(problem, levels);
    }

    private static void AssertRoundTrips(Problem problem, IReadOnlyList<Level> levels)
    {
        var text = ProblemFileWriter.Write(problem);
        var read = CurriculumLoader.ReadProblem("export.yaml", new MemoryStream(Encoding.UTF8.GetBytes(text)), levels, CurriculumRules.Teacher);

        Assert.Equal(problem with { Tags = [], Tests = [] }, read with { Tags = [], Tests = [] });
        Assert.Equal(problem.Tags, read.Tags);
        Assert.True(problem.Tests.SequenceEqual(read.Tests), "tests differ after a round trip through:\n" + text);
        Assert.Equal(text, ProblemFileWriter.Write(read));
    }
}
