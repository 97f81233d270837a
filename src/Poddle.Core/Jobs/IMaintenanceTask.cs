namespace Poddle.Core.Jobs;

/// <summary>
/// One feature's part of the recurring clean-up that <see cref="MaintenanceJob"/> runs: each feature deletes its own
/// rows that have ended and registers its task from its own <c>AddPoddleXxx</c>, so the job queue knows no feature.
/// A task deletes idempotently (running it twice is harmless) and saves on its own.
/// </summary>
public interface IMaintenanceTask
{
    /// <summary>Deletes what has ended by <paramref name="now"/>.</summary>
    Task RunAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
