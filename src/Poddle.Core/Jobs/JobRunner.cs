using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Jobs;

/// <summary>
/// Runs <see cref="JobsOptions.Workers"/> concurrent workers for the default lane, plus the workers of each
/// registered <see cref="JobLane"/> (which alone run their kinds). An idle worker sleeps until this process enqueues
/// a job of its lane (<see cref="JobSignal"/>) or the poll interval passes. A failing iteration is logged and
/// survived; stopping cancels running handlers, whose jobs go back to the queue.
/// </summary>
public sealed partial class JobRunner(
    JobProcessor processor,
    JobSignal signal,
    IEnumerable<JobLane> lanes,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobRunner> logger) : BackgroundService
{
    // Waited on instead of the wake signal after a failure, so the worker sleeps the full poll interval.
    private static readonly Task Never = new TaskCompletionSource().Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var extra = lanes.ToList();
        var all = new List<(string Lane, JobKindFilter Kinds, int Workers)>
        {
            (JobSignal.DefaultLane, new JobKindFilter([], [.. extra.SelectMany(l => l.Kinds)]), options.Value.Workers),
        };
        all.AddRange(extra.Select(l => (l.Name, new JobKindFilter(l.Kinds, []), l.Workers)));
        if (all.Sum(l => l.Workers) == 0)
        {
            LogDisabled(logger);
            return;
        }

        try
        {
            // Before any worker claims: jobs this server held when it was killed run again now, not when their leases expire.
            if (await processor.TakeBackInterruptedAsync(stoppingToken) is var taken and > 0)
            {
                LogTookBack(logger, taken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not fatal: those jobs come back when their leases expire.
            LogTakeBackFailed(logger, ex);
        }

        foreach (var lane in all)
        {
            LogStarted(logger, lane.Lane, lane.Workers);
        }

        await Task.WhenAll(all.SelectMany(lane => Enumerable.Range(1, lane.Workers).Select(worker =>
            Task.Run(() => WorkAsync(lane.Lane, lane.Kinds, worker, stoppingToken), CancellationToken.None))));
    }

    private async Task WorkAsync(string lane, JobKindFilter kinds, int worker, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signal.NextFor(lane);
            try
            {
                if (await processor.RunNextAsync(kinds, stoppingToken))
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database may be briefly unreachable; back off one poll interval and try again.
                LogIterationFailed(logger, ex, lane, worker);
                wake = Never;
            }

            await IdleAsync(wake, stoppingToken);
        }
    }

    private async Task IdleAsync(Task wake, CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var poll = Task.Delay(options.Value.PollInterval, clock, stop.Token);
        await Task.WhenAny(wake, poll);
        await stop.CancelAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job runner: lane {Lane} started with {Workers} workers")]
    private static partial void LogStarted(ILogger logger, string lane, int workers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job runner: {Count} jobs this server was running when it stopped without handing them back are queued again")]
    private static partial void LogTookBack(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job runner: could not take back the jobs of this server's previous process; they run again when their leases expire")]
    private static partial void LogTakeBackFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job runner disabled (no lane has workers)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job worker {Lane}/{Worker}: iteration failed; retrying after the poll interval")]
    private static partial void LogIterationFailed(ILogger logger, Exception exception, string lane, int worker);
}
