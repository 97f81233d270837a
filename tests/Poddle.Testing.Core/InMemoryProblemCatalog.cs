using Poddle.Core.Curriculum;

namespace Poddle.Testing;

/// <summary>
/// A problem catalog in memory for tests of grading and progress: the shipped starter curriculum (version 1, not
/// archived) plus problems a test adds, edits (a new version) or archives. Thread-safe.
/// </summary>
public sealed class InMemoryProblemCatalog : IProblemCatalog
{
    private static readonly Lazy<CurriculumSet> Starter = new(CurriculumLoader.LoadStarter);

    private readonly Lock _lock = new();
    private readonly List<Level> _levels;
    private readonly List<CatalogProblem> _problems;

    /// <summary>The starter curriculum and, when given, more problems.</summary>
    public InMemoryProblemCatalog(params Problem[] extra)
    {
        _levels = [.. Starter.Value.Levels];
        _problems = [.. Starter.Value.Problems.Select(p => new CatalogProblem(p, 1, false, null))];
        foreach (var problem in extra)
        {
            Put(problem);
        }
    }

    /// <summary>Adds a problem (version 1) or replaces it with a new version.</summary>
    public CatalogProblem Put(Problem problem, Guid? authorId = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        lock (_lock)
        {
            var index = _problems.FindIndex(p => p.Problem.Id == problem.Id);
            var stored = new CatalogProblem(problem, index < 0 ? 1 : _problems[index].Version + 1, false, authorId);
            if (index < 0)
            {
                _problems.Add(stored);
            }
            else
            {
                _problems[index] = stored;
            }

            return stored;
        }
    }

    /// <summary>Archives a problem: still found, no longer listed nor gradable.</summary>
    public void Archive(string problemId)
    {
        lock (_lock)
        {
            var index = _problems.FindIndex(p => p.Problem.Id == problemId);
            _problems[index] = _problems[index] with { Archived = true };
        }
    }

    public Task<CatalogProblem?> FindAsync(string problemId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_problems.FirstOrDefault(p => p.Problem.Id == problemId));
        }
    }

    public Task<IReadOnlyList<Level>> LevelsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<Level>>([.. _levels]);
        }
    }

    public Task<IReadOnlyList<CatalogProblem>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<CatalogProblem>>([.. _problems.Where(p => !p.Archived)]);
        }
    }

    /// <summary>
    /// A problem for grading tests in level 1 of ages 11-14 ("Numbers"): <c>add(a, b)</c> with two public function cases
    /// and two hidden ones whose calls and values are distinctive strings (<see cref="HiddenMarkers"/>), so a test can
    /// search any response for them.
    /// </summary>
    public static Problem SecretAdd(string id = "secret-add") => new(
        id, "Add two numbers", "11-14", 1, "Numbers", 99, ["test"], "Write add(a, b).", "def add(a, b):\n    pass\n", "python",
        OutputComparison.Trim, new ProblemLimits(1_000, 64), "add",
        [
            TestCase.OfCall("add(1, 2)", "3", hidden: false),
            TestCase.OfCall("add(2, 2)", "4", hidden: false),
            TestCase.OfCall("add(7770001, 9990002)", "17760003", hidden: true),
            TestCase.OfCall("add(-4440005, 3330006)", "-1109999", hidden: true),
        ],
        "def add(a, b):\n    return a + b\n",
        "def add(a, b):\n    return a + b if a >= 0 else 0\n");

    /// <summary>
    /// A stdin problem: print the input upper-cased. Its hidden case's input and output are distinctive strings, and a
    /// failing program would print the input to stderr (so a leak of a hidden case's error would show it).
    /// </summary>
    public static Problem SecretShout(string id = "secret-shout") => new(
        id, "Shout", "11-14", 1, "Numbers", 98, ["test"], "Print the line in capitals.", "print(input())\n", "python",
        OutputComparison.Trim, new ProblemLimits(1_000, 64), null,
        [
            TestCase.OfStdin("hello\n", "HELLO\n", hidden: false),
            TestCase.OfStdin("quiet-zebra-4412\n", "QUIET-ZEBRA-4412\n", hidden: true),
        ],
        "print(input().upper())\n",
        "print(input())\n");

    /// <summary>Strings of the hidden cases of <see cref="SecretAdd"/> and <see cref="SecretShout"/> that no response may contain (long enough never to occur by chance in a request id).</summary>
    public static IReadOnlyList<string> HiddenMarkers { get; } =
        ["7770001", "9990002", "17760003", "4440005", "3330006", "1109999", "quiet-zebra", "QUIET-ZEBRA"];
}
