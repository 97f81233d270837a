using Microsoft.Extensions.Logging;

namespace Poddle.Core.Jobs;

/// <summary>
/// The built-in recurring clean-up (kind <see cref="JobKind"/>, schedule <see cref="ScheduleName"/>): runs every
/// feature's <see cref="IMaintenanceTask"/> (the queue's own purges succeeded jobs past their retention; accounts
/// purge ended sessions and tokens, and old login failures), one after another at one instant. Each task is
/// idempotent, so running the job twice is harmless; a task that fails fails the job, which the queue retries.
/// </summary>
public sealed partial class MaintenanceJob(
    IEnumerable<IMaintenanceTask> tasks,
    TimeProvider clock,
    ILogger<MaintenanceJob> logger) : IJobHandler
{
    public const string JobKind = JobKinds.Maintenance;
    public const string ScheduleName = "maintenance";

    public string Kind => JobKind;

    public async Task HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var count = 0;
        foreach (var task in tasks)
        {
            await task.RunAsync(now, cancellationToken);
            count++;
        }

        LogRan(logger, count);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Maintenance ran {Tasks} clean-up tasks")]
    private static partial void LogRan(ILogger logger, int tasks);
}
