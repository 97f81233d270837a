namespace Poddle.Core.Curriculum;

/// <summary>
/// Where grading and progress find problems: the stored curriculum (starter and teachers' problems, cached), or in
/// tests a fixed set. Hidden cases are included: only the grader reads them, and only results leave it.
/// </summary>
public interface IProblemCatalog
{
    /// <summary>The current version of a problem, archived ones included; null when there is no such problem.</summary>
    Task<CatalogProblem?> FindAsync(string problemId, CancellationToken cancellationToken);

    /// <summary>Every level of every age group, in order.</summary>
    Task<IReadOnlyList<Level>> LevelsAsync(CancellationToken cancellationToken);

    /// <summary>Every problem that is not archived, current versions, in curriculum order.</summary>
    Task<IReadOnlyList<CatalogProblem>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>A problem as stored: its content, its version, and whether it is archived.</summary>
/// <param name="Problem">The content, hidden cases included.</param>
/// <param name="Version">Starts at 1; each edit adds one. Submissions record the version they were graded against.</param>
/// <param name="Archived">Archived problems are not listed nor gradable, but their submissions and progress remain.</param>
/// <param name="AuthorId">The teacher who wrote it; null for the starter curriculum.</param>
public sealed record CatalogProblem(Problem Problem, int Version, bool Archived, Guid? AuthorId);
