namespace Poddle.Core.Jobs;

/// <summary>
/// Something the handlers of some job kinds need before they can do their work, such as the code executor's languages,
/// discovered after the job workers have started. Until <see cref="Ready"/> completes, this process claims no job of
/// <see cref="Kinds"/>: those jobs wait in the queue (other servers whose gate is open may take them); they never fail
/// for it. Register with <see cref="JobsServiceCollectionExtensions.AddJobReadinessGate"/>.
/// </summary>
/// <param name="Name">Names the gate in logs ("code-executor").</param>
/// <param name="Kinds">The job kinds whose handlers need it.</param>
/// <param name="Ready">Completes once they can run (from this process's services); a faulted task keeps the kinds waiting.</param>
public sealed record JobReadinessGate(string Name, IReadOnlyList<string> Kinds, Func<IServiceProvider, Task> Ready);
