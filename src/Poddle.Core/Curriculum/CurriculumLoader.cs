using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Poddle.Core.Curriculum;

/// <summary>What a curriculum must satisfy beyond the file format.</summary>
/// <param name="MinPublicTests">Public cases each problem needs.</param>
/// <param name="MinHiddenTests">Hidden cases each problem needs.</param>
/// <param name="RequireSolutions">Each problem carries a reference and a wrong solution (the starter set's check runs them).</param>
public sealed record CurriculumRules(int MinPublicTests, int MinHiddenTests, bool RequireSolutions)
{
    /// <summary>The shipped starter set: at least 3 public and 3 hidden cases, and both solutions.</summary>
    public static CurriculumRules Starter { get; } = new(3, 3, RequireSolutions: true);

    /// <summary>Teachers' problems: at least one test of any kind, solutions optional.</summary>
    public static CurriculumRules Teacher { get; } = new(0, 0, RequireSolutions: false);
}

/// <summary>
/// Reads and validates curriculum files: levels.yaml (levels, sessions, cheatsheets) and one YAML file per problem
/// (docs/curriculum.md). Every error names its file and field; all are reported at once in a <see cref="CurriculumException"/>.
/// </summary>
public static partial class CurriculumLoader
{
    /// <summary>Most bytes of a statement (UTF-8).</summary>
    public const int MaxStatementBytes = 20 * 1024;

    /// <summary>Most bytes of a code field (starter code, solutions).</summary>
    public const int MaxCodeBytes = 64 * 1024;

    /// <summary>Most bytes of one test's stdin, expected stdout, call or expected literal.</summary>
    public const int MaxTestFieldBytes = 64 * 1024;

    /// <summary>Most tests of one problem.</summary>
    public const int MaxTests = 100;

    /// <summary>Most CPU time of one case a problem may ask for.</summary>
    public const int MaxCpuMs = 10_000;

    /// <summary>Most memory a problem may ask for.</summary>
    public const int MaxMemoryMb = 512;

    private const string ResourcePrefix = "Poddle.Curriculum.Starter/";

    /// <summary>The starter curriculum embedded in Poddle.Core, validated with <see cref="CurriculumRules.Starter"/>.</summary>
    /// <exception cref="CurriculumException">A shipped file is not valid (a build that should not have passed its tests).</exception>
    public static CurriculumSet LoadStarter()
    {
        var assembly = typeof(CurriculumLoader).Assembly;
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var levels = ReadResource(assembly, ResourcePrefix + "levels.yaml");
        var problems = names
            .Where(n => n.StartsWith(ResourcePrefix + "problems/", StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(n => (n[ResourcePrefix.Length..], ReadResource(assembly, n)));
        return Load(("levels.yaml", levels), problems, CurriculumRules.Starter);
    }

    /// <summary>
    /// A curriculum in a directory laid out like the starter set: levels.yaml and problems/*.yaml (a teacher's export,
    /// or a checkout being edited).
    /// </summary>
    /// <exception cref="CurriculumException">A file is missing or not valid.</exception>
    public static CurriculumSet LoadDirectory(string directory, CurriculumRules rules)
    {
        var levelsPath = Path.Join(directory, "levels.yaml");
        if (!File.Exists(levelsPath))
        {
            throw new CurriculumException([new CurriculumError("levels.yaml", string.Empty, $"not found in {directory}")]);
        }

        var problemsDirectory = Path.Join(directory, "problems");
        var problems = Directory.Exists(problemsDirectory)
            ? Directory.EnumerateFiles(problemsDirectory, "*.yaml").Order(StringComparer.Ordinal)
                .Select(f => ("problems/" + Path.GetFileName(f), File.ReadAllText(f, Encoding.UTF8))).ToList()
            : [];
        return Load(("levels.yaml", File.ReadAllText(levelsPath, Encoding.UTF8)), problems, rules);
    }

    /// <summary>Validates a whole curriculum given as texts: the levels file and the problem files (name, YAML).</summary>
    /// <exception cref="CurriculumException">Any file is not valid, or two problems share an id.</exception>
    public static CurriculumSet Load((string Name, string Yaml) levelsFile, IEnumerable<(string Name, string Yaml)> problemFiles, CurriculumRules rules)
    {
        ArgumentNullException.ThrowIfNull(problemFiles);
        var errors = new List<CurriculumError>();
        var levels = ParseLevels(levelsFile.Name, levelsFile.Yaml, errors);
        var problems = new List<Problem>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, yaml) in problemFiles)
        {
            var problem = ParseProblem(name, yaml, levels, rules, errors);
            if (problem is null)
            {
                continue;
            }

            if (ids.TryGetValue(problem.Id, out var first))
            {
                errors.Add(new CurriculumError(name, "id", $"'{problem.Id}' is already the id of {first}; ids must be unique"));
                continue;
            }

            ids[problem.Id] = name;
            problems.Add(problem);
        }

        if (errors.Count > 0)
        {
            throw new CurriculumException(errors);
        }

        var levelOrder = levels.Select((l, i) => (l, i)).ToDictionary(x => (x.l.AgeGroup, x.l.Number), x => x.i);
        var ordered = problems
            .OrderBy(p => levelOrder[(p.AgeGroup, p.Level)])
            .ThenBy(p => levels[levelOrder[(p.AgeGroup, p.Level)]].Sessions.ToList().IndexOf(p.Session))
            .ThenBy(p => p.Order)
            .ThenBy(p => p.Id, StringComparer.Ordinal)
            .ToList();
        return new CurriculumSet(levels, ordered);
    }

    /// <summary>Reads the levels file.</summary>
    /// <exception cref="CurriculumException">The file is not valid.</exception>
    public static IReadOnlyList<Level> ReadLevels(string fileName, Stream stream)
    {
        var errors = new List<CurriculumError>();
        var levels = ParseLevels(fileName, ReadAll(stream), errors);
        return errors.Count > 0 ? throw new CurriculumException(errors) : levels;
    }

    /// <summary>Reads one problem file (a teacher's import) against the levels it must fit in.</summary>
    /// <exception cref="CurriculumException">The file is not valid; every error names <paramref name="fileName"/> and a field.</exception>
    public static Problem ReadProblem(string fileName, Stream stream, IReadOnlyList<Level> levels, CurriculumRules rules)
    {
        var errors = new List<CurriculumError>();
        var problem = ParseProblem(fileName, ReadAll(stream), levels, rules, errors);
        return errors.Count > 0 || problem is null ? throw new CurriculumException(errors) : problem;
    }

    private static string ReadAll(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return reader.ReadToEnd();
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new CurriculumException([new CurriculumError(name, string.Empty, "embedded resource not found")]);
        return ReadAll(stream);
    }

    private static T? Deserialize<T>(string file, string yaml, List<CurriculumError> errors)
        where T : class
    {
        try
        {
            return CurriculumYaml.Deserializer.Deserialize<T>(yaml);
        }
        catch (YamlException ex)
        {
            // YamlDotNet names the property it does not know in the inner exception's message.
            var detail = ex.InnerException?.Message ?? ex.Message;
            errors.Add(new CurriculumError(file, $"line {ex.Start.Line}, column {ex.Start.Column}", detail));
            return null;
        }
    }

    private static List<Level> ParseLevels(string file, string yaml, List<CurriculumError> errors)
    {
        var document = Deserialize<LevelsDocument>(file, yaml, errors);
        var levels = new List<Level>();
        if (document is null)
        {
            return levels;
        }

        if (document.Levels is not { Count: > 0 })
        {
            errors.Add(new CurriculumError(file, "levels", "at least one level is required"));
            return levels;
        }

        for (var i = 0; i < document.Levels.Count; i++)
        {
            var d = document.Levels[i];
            var at = $"levels[{i}]";
            var ok = Required(file, at + ".ageGroup", d.AgeGroup, errors)
                & Required(file, at + ".title", d.Title, errors);
            if (d.Level is not (>= 1 and <= 99))
            {
                errors.Add(new CurriculumError(file, at + ".level", "a number from 1 to 99 is required"));
                ok = false;
            }

            var sessions = d.Sessions ?? [];
            if (sessions.Count == 0 || sessions.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add(new CurriculumError(file, at + ".sessions", "at least one session, each a non-empty name, is required"));
                ok = false;
            }
            else if (sessions.Distinct(StringComparer.Ordinal).Count() != sessions.Count)
            {
                errors.Add(new CurriculumError(file, at + ".sessions", "session names must be unique within a level"));
                ok = false;
            }

            if (ok && levels.Any(l => l.AgeGroup == d.AgeGroup && l.Number == d.Level))
            {
                errors.Add(new CurriculumError(file, at + ".level", $"level {d.Level} of age group {d.AgeGroup} is defined twice"));
                ok = false;
            }

            if (ok)
            {
                levels.Add(new Level(d.AgeGroup!, d.Level!.Value, d.Title!, sessions, d.Cheatsheet ?? string.Empty));
            }
        }

        return levels;
    }

    private static Problem? ParseProblem(string file, string yaml, IReadOnlyList<Level> levels, CurriculumRules rules, List<CurriculumError> errors)
    {
        var parseErrors = errors.Count;
        var d = Deserialize<ProblemDocument>(file, yaml, errors);
        if (d is null)
        {
            if (errors.Count == parseErrors)
            {
                errors.Add(new CurriculumError(file, string.Empty, "the file is empty"));
            }

            return null;
        }

        return ValidateProblem(file, d, levels, rules, errors);
    }

    /// <summary>
    /// Validates a problem given as values (the API's JSON body) with exactly the rules of a problem file, so a file and
    /// the API accept the same problems. Errors name <paramref name="source"/> and the field (<c>tests[2].expected</c>).
    /// </summary>
    /// <exception cref="CurriculumException">The problem is not valid.</exception>
    public static Problem ValidateDraft(string source, ProblemDraft draft, IReadOnlyList<Level> levels, CurriculumRules rules)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var document = new ProblemDocument
        {
            Id = draft.Id,
            Title = draft.Title,
            AgeGroup = draft.AgeGroup,
            Level = draft.Level,
            Session = draft.Session,
            Order = draft.Order,
            Tags = draft.Tags?.ToList(),
            Statement = draft.Statement,
            StarterCode = draft.StarterCode,
            Language = draft.Language,
            Comparison = draft.Comparison,
            Limits = draft.Limits is null ? null : new LimitsDocument { CpuMs = draft.Limits.CpuMs, MemoryMb = draft.Limits.MemoryMb },
            FunctionName = draft.FunctionName,
            Tests = draft.Tests?.Select(t => t is null ? null! : new TestCaseDocument { Stdin = t.Stdin, ExpectedStdout = t.ExpectedStdout, Call = t.Call, Expected = t.Expected, Hidden = t.Hidden }).ToList(),
            ReferenceSolution = draft.ReferenceSolution,
            WrongSolution = draft.WrongSolution,
        };
        var errors = new List<CurriculumError>();
        var problem = ValidateProblem(source, document, levels, rules, errors);
        return errors.Count > 0 || problem is null ? throw new CurriculumException(errors) : problem;
    }

    private static Problem? ValidateProblem(string file, ProblemDocument d, IReadOnlyList<Level> levels, CurriculumRules rules, List<CurriculumError> errors)
    {
        var before = errors.Count;
        void Error(string field, string message) => errors.Add(new CurriculumError(file, field, message));

        if (Required(file, "id", d.Id, errors) && !SlugPattern().IsMatch(d.Id!))
        {
            Error("id", $"'{d.Id}' is not a slug: lower-case letters, digits and single dashes, at most 64 characters");
        }

        Required(file, "title", d.Title, errors);
        if (d.Title is { Length: > 200 })
        {
            Error("title", "at most 200 characters");
        }

        if (Required(file, "ageGroup", d.AgeGroup, errors))
        {
            var level = levels.FirstOrDefault(l => l.AgeGroup == d.AgeGroup && l.Number == d.Level);
            if (d.Level is null)
            {
                Error("level", "required");
            }
            else if (level is null)
            {
                Error("level", $"no level {d.Level} for age group {d.AgeGroup} in the levels file (known: {string.Join(", ", levels.Select(l => $"{l.AgeGroup}/{l.Number}"))})");
            }
            else if (Required(file, "session", d.Session, errors) && !level.Sessions.Contains(d.Session!, StringComparer.Ordinal))
            {
                Error("session", $"'{d.Session}' is not a session of level {level.Number} ({level.AgeGroup}): {string.Join(", ", level.Sessions.Select(s => $"'{s}'"))}");
            }
        }

        if (Required(file, "statement", d.Statement, errors))
        {
            Bounded(file, "statement", d.Statement, MaxStatementBytes, errors);
        }

        Bounded(file, "starterCode", d.StarterCode, MaxCodeBytes, errors);
        Bounded(file, "referenceSolution", d.ReferenceSolution, MaxCodeBytes, errors);
        Bounded(file, "wrongSolution", d.WrongSolution, MaxCodeBytes, errors);
        if (rules.RequireSolutions)
        {
            Required(file, "referenceSolution", d.ReferenceSolution, errors);
            Required(file, "wrongSolution", d.WrongSolution, errors);
        }

        var language = d.Language ?? "python";
        if (!string.Equals(language, "python", StringComparison.Ordinal))
        {
            Error("language", $"'{language}' is not supported; problems are in python");
        }

        var comparison = OutputComparison.Trim;
        switch (d.Comparison)
        {
            case null or "trim":
                break;
            case "exact":
                comparison = OutputComparison.Exact;
                break;
            default:
                Error("comparison", $"'{d.Comparison}' is not one of: trim, exact");
                break;
        }

        if (d.Limits?.CpuMs is { } cpu && cpu is < 1 or > MaxCpuMs)
        {
            Error("limits.cpuMs", $"must be from 1 to {MaxCpuMs}");
        }

        if (d.Limits?.MemoryMb is { } memory && memory is < 16 or > MaxMemoryMb)
        {
            Error("limits.memoryMb", $"must be from 16 to {MaxMemoryMb}");
        }

        var tests = new List<TestCase>();
        var documents = d.Tests ?? [];
        if (documents.Count == 0)
        {
            Error("tests", "at least one test is required");
        }
        else if (documents.Count > MaxTests)
        {
            Error("tests", $"{documents.Count} tests; at most {MaxTests}");
        }

        for (var i = 0; i < documents.Count && i < MaxTests; i++)
        {
            var t = documents[i];
            var at = $"tests[{i}]";
            if (t is null)
            {
                Error(at, "empty test");
                continue;
            }

            var isStdin = t.Stdin is not null || t.ExpectedStdout is not null;
            var isCall = t.Call is not null || t.Expected is not null;
            if (isStdin && isCall)
            {
                Error(at, "a test is either {stdin, expectedStdout} or {call, expected}, not both");
                continue;
            }

            if (!isStdin && !isCall)
            {
                Error(at, "a test needs {stdin, expectedStdout} or {call, expected}");
                continue;
            }

            if (t.Hidden is null)
            {
                Error(at + ".hidden", "required (true or false): say whether the case is shown to students");
            }

            if (isStdin)
            {
                if (t.ExpectedStdout is null)
                {
                    Error(at + ".expectedStdout", "required for a stdin test");
                }

                Bounded(file, at + ".stdin", t.Stdin, MaxTestFieldBytes, errors);
                Bounded(file, at + ".expectedStdout", t.ExpectedStdout, MaxTestFieldBytes, errors);
                tests.Add(TestCase.OfStdin(t.Stdin ?? string.Empty, t.ExpectedStdout ?? string.Empty, t.Hidden ?? false));
            }
            else
            {
                if (Required(file, at + ".call", t.Call, errors))
                {
                    Bounded(file, at + ".call", t.Call, MaxTestFieldBytes, errors);
                }

                if (Required(file, at + ".expected", t.Expected, errors))
                {
                    Bounded(file, at + ".expected", t.Expected, MaxTestFieldBytes, errors);
                }

                tests.Add(TestCase.OfCall(t.Call ?? string.Empty, t.Expected ?? string.Empty, t.Hidden ?? false));
            }
        }

        if (tests.Any(t => t.Kind == TestKind.Function))
        {
            if (string.IsNullOrWhiteSpace(d.FunctionName))
            {
                Error("functionName", "required when the problem has function tests (call/expected)");
            }
            else if (!IdentifierPattern().IsMatch(d.FunctionName))
            {
                Error("functionName", $"'{d.FunctionName}' is not a Python identifier");
            }
        }

        var publicCount = tests.Count(t => !t.Hidden);
        var hiddenCount = tests.Count(t => t.Hidden);
        if (documents.Count > 0 && publicCount < rules.MinPublicTests)
        {
            Error("tests", $"{publicCount} public test(s); at least {rules.MinPublicTests} are required");
        }

        if (documents.Count > 0 && hiddenCount < rules.MinHiddenTests)
        {
            Error("tests", $"{hiddenCount} hidden test(s); at least {rules.MinHiddenTests} are required");
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new Problem(
            d.Id!,
            d.Title!,
            d.AgeGroup!,
            d.Level!.Value,
            d.Session!,
            d.Order ?? 0,
            d.Tags ?? [],
            d.Statement!,
            d.StarterCode ?? string.Empty,
            language,
            comparison,
            d.Limits is null ? null : new ProblemLimits(d.Limits.CpuMs, d.Limits.MemoryMb),
            string.IsNullOrWhiteSpace(d.FunctionName) ? null : d.FunctionName,
            tests,
            d.ReferenceSolution,
            d.WrongSolution);
    }

    private static bool Required(string file, string field, string? value, List<CurriculumError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new CurriculumError(file, field, "required"));
            return false;
        }

        return true;
    }

    private static void Bounded(string file, string field, string? value, int maxBytes, List<CurriculumError> errors)
    {
        if (value is not null && Encoding.UTF8.GetByteCount(value) is var bytes && bytes > maxBytes)
        {
            errors.Add(new CurriculumError(file, field, $"{bytes} bytes; at most {maxBytes}"));
        }
    }

    [GeneratedRegex("^(?=.{1,64}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
