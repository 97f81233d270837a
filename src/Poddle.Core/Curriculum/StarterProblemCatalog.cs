namespace Poddle.Core.Curriculum;

/// <summary>
/// The shipped starter curriculum as a read-only catalog (every problem at version 1, none archived). The server's
/// fallback when no stored catalog is registered, so grading and progress work on the embedded set alone.
/// </summary>
public sealed class StarterProblemCatalog : IProblemCatalog
{
    private static readonly Lazy<CurriculumSet> Starter = new(CurriculumLoader.LoadStarter);

    /// <inheritdoc />
    public Task<CatalogProblem?> FindAsync(string problemId, CancellationToken cancellationToken) =>
        Task.FromResult(Starter.Value.FindProblem(problemId) is { } problem ? new CatalogProblem(problem, 1, false, null) : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<Level>> LevelsAsync(CancellationToken cancellationToken) => Task.FromResult(Starter.Value.Levels);

    /// <inheritdoc />
    public Task<IReadOnlyList<CatalogProblem>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CatalogProblem>>([.. Starter.Value.Problems.Select(p => new CatalogProblem(p, 1, false, null))]);
}
