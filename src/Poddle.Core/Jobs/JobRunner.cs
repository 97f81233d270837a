using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Poddle.Core.Jobs;

/// <summary>
/// Runs <see cref="JobsOptions.Workers"/> concurrent workers. An idle worker sleeps until this process enqueues a
/// job (<see cref="JobSignal"/>) or the poll interval passes. A failing iteration is logged and survived; stopping
/// cancels running handlers, whose jobs go back to the queue.
/// </summary>
public sealed partial class JobRunner(
    JobProcessor processor,
    JobSignal signal,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobRunner> logger) : BackgroundService
{
    // Waited on instead of the wake signal after a failure, so the worker sleeps the full poll interval.
    private static readonly Task Never = new TaskCompletionSource().Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = options.Value.Workers;
        if (workers == 0)
        {
            LogDisabled(logger);
            return;
        }

        LogStarted(logger, workers);
        await Task.WhenAll(Enumerable.Range(1, workers).Select(worker => Task.Run(() => WorkAsync(worker, stoppingToken), CancellationToken.None)));
    }

    private async Task WorkAsync(int worker, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signal.Next;
            try
            {
                if (await processor.RunNextAsync(stoppingToken))
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
                LogIterationFailed(logger, ex, worker);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Job runner started with {Workers} workers")]
    private static partial void LogStarted(ILogger logger, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job runner disabled (Jobs:Workers is 0)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job worker {Worker}: iteration failed; retrying after the poll interval")]
    private static partial void LogIterationFailed(ILogger logger, Exception exception, int worker);
}
