namespace Poddle.Core.Jobs;

/// <summary>
/// A set of job kinds with workers of their own, so a hot path (code execution) neither waits behind nor competes
/// with background jobs, and its concurrency is its own. Jobs of kinds no lane claims run on the default lane
/// (<see cref="JobsOptions.Workers"/>). Register with <see cref="JobsServiceCollectionExtensions.AddJobLane"/>.
/// </summary>
/// <param name="Name">Names the lane in logs and lease owners.</param>
/// <param name="Kinds">The job kinds only this lane runs.</param>
/// <param name="Workers">Concurrent workers of this lane in this process; 0 runs none here.</param>
public sealed record JobLane(string Name, IReadOnlyList<string> Kinds, int Workers);

/// <summary>Which kinds a claim may take: only <see cref="Only"/> (when not empty), never <see cref="Except"/>.</summary>
public sealed record JobKindFilter(IReadOnlyList<string> Only, IReadOnlyList<string> Except)
{
    public static JobKindFilter All { get; } = new([], []);

    public bool Matches(string kind) =>
        (Only.Count == 0 || Only.Contains(kind, StringComparer.Ordinal)) && !Except.Contains(kind, StringComparer.Ordinal);
}
