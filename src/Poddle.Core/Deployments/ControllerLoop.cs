namespace Poddle.Core.Deployments;

/// <summary>
/// The loop the controller's background services share: run an iteration, wait the interval on the clock, repeat until
/// stopped. A failing iteration is reported and the loop goes on (a background loop survives its iterations).
/// </summary>
internal static class ControllerLoop
{
    public static async Task RunAsync(
        Func<CancellationToken, Task> iteration,
        Func<TimeSpan> interval,
        TimeProvider clock,
        Action<Exception> onIterationFailed,
        CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await iteration(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                onIterationFailed(ex);
            }

            try
            {
                await Task.Delay(interval(), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
