using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Poddle.Core.Alerts;

/// <summary>
/// Reads the firing incidents per level into <see cref="AlertMetrics"/> every <see cref="Period"/>, so
/// <c>poddle_alerts_firing</c> counts what other servers raised and resolved too (this server's own changes update it at once).
/// </summary>
public sealed partial class AlertFiringSampler(
    IServiceScopeFactory scopes,
    AlertMetrics metrics,
    TimeProvider clock,
    ILogger<AlertFiringSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                metrics.SetFiring(await scope.ServiceProvider.GetRequiredService<AlertIncidents>().CountFiringAsync(stoppingToken));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert metrics: counting firing incidents failed; retrying next period")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
