using System.Text.Json;
using Microsoft.Extensions.Logging;
using Poddle.Agent.Alerts;
using Poddle.Agent.Files;
using Poddle.Agent.Health;
using Poddle.Agent.Heartbeat;
using Poddle.Contracts;

namespace Poddle.Agent.Monitoring;

/// <summary>Writes one health report somewhere (the report file by default; tests capture them).</summary>
public delegate Task HealthReportSink(AgentHealthReport report, CancellationToken cancellationToken);

/// <summary>
/// The agent's monitor loop: a health round at start and then every period; each report is written (atomically),
/// turned into alerts (log and webhooks, queued) and sent as a heartbeat (in the background). Nothing a round's
/// consumers do can stop the loop: a failing write, a webhook that is down, a server that does not answer are logged.
/// </summary>
public sealed partial class AgentMonitor(
    IHealthRound round,
    Func<AgentAppState?> app,
    HealthReportSink writeReport,
    AlertPolicy alerts,
    WebhookDispatcher? webhooks,
    HeartbeatSender? heartbeat,
    TimeSpan period,
    ILogger<AgentMonitor> logger,
    TimeProvider time)
{
    private Task _heartbeat = Task.CompletedTask;
    private string? _lastWriteError;

    /// <summary>The latest report; null before the first round.</summary>
    public AgentHealthReport? LastReport { get; private set; }

    /// <summary>The heartbeat sent last, until it is done (it bounds itself by its timeout).</summary>
    internal Task HeartbeatInFlight => _heartbeat;

    /// <summary>The writer for a report file: JSON, atomically replaced.</summary>
    public static HealthReportSink FileWriter(string path) => (report, cancellationToken) =>
        AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(report, PoddleJsonContext.Default.AgentHealthReport), cancellationToken);

    /// <summary>The least time a round may take before it is abandoned, whatever the period.</summary>
    public static readonly TimeSpan MinRoundTime = TimeSpan.FromSeconds(15);

    /// <summary>Runs rounds until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            do
            {
                await RunRoundAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        // A heartbeat in flight finishes or times out on its own; wait for it so the process exits cleanly.
        await _heartbeat;
    }

    /// <summary>One round and everything that follows from it.</summary>
    /// <param name="cancellationToken">Stops the round.</param>
    /// <param name="timeLimit">How long the round may take; the period (at least <see cref="MinRoundTime"/>) when null.</param>
    public async Task RunRoundAsync(CancellationToken cancellationToken, TimeSpan? timeLimit = null)
    {
        AgentHealthReport report;
        // At least MinRoundTime: a round with a hanging endpoint takes two timeouts and a retry delay, and a first
        // round samples the CPU twice; a short period (tests, --period 1s) must not abandon every round.
        var allowed = timeLimit ?? (period > MinRoundTime ? period : MinRoundTime);
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // A round that takes longer than the period would hold up the next one: it is abandoned (and logged).
            limit.CancelAfter(allowed);
            try
            {
                report = await round.RunAsync(app(), limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogRoundTimedOut(logger, allowed.TotalSeconds);
                return;
            }
#pragma warning disable CA1031 // A background loop logs and survives a failing iteration (house rule 4).
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogRoundFailed(logger, ex);
                return;
            }
        }

        LastReport = report;
        await WriteAsync(report, cancellationToken);
        foreach (var alert in alerts.Evaluate(report))
        {
            if (alert.Kind == "recovery")
            {
                LogRecovery(logger, alert.Text);
            }
            else
            {
                LogAlert(logger, alert.Text);
            }

            webhooks?.Enqueue(alert);
        }

        if (heartbeat is not null)
        {
            if (_heartbeat.IsCompleted)
            {
                var timeout = TimeSpan.FromTicks(Math.Clamp(period.Ticks, TimeSpan.TicksPerSecond, 10 * TimeSpan.TicksPerSecond));
                _heartbeat = heartbeat.SendAsync(report, timeout, cancellationToken);
            }
            else
            {
                LogHeartbeatBusy(logger);
            }
        }
    }

    private async Task WriteAsync(AgentHealthReport report, CancellationToken cancellationToken)
    {
        try
        {
            await writeReport(report, cancellationToken);
            _lastWriteError = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Said once per distinct reason, not every period.
            if (_lastWriteError != ex.Message)
            {
                _lastWriteError = ex.Message;
                LogWriteSkipped(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ALERT {Text}")]
    private static partial void LogAlert(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Information, Message = "ALERT {Text}")]
    private static partial void LogRecovery(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health report not written (skipped until it works again): {Reason}")]
    private static partial void LogWriteSkipped(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health round did not finish within {Seconds:0.#} s; skipped")]
    private static partial void LogRoundTimedOut(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Health round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Previous heartbeat still in flight; this period's is skipped")]
    private static partial void LogHeartbeatBusy(ILogger logger);
}
