using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Poddle.Agent.Alerts;
using Poddle.Agent.Health;
using Poddle.Agent.Heartbeat;
using Poddle.Agent.Monitoring;
using Poddle.Agent.Native;
using Poddle.Agent.Supervisor;
using Poddle.Agent.Tuning;
using Poddle.Agent.Validation;
using Poddle.Agent.Worker;

namespace Poddle.Agent;

/// <summary>Seams of <see cref="AgentRunner"/> that tests replace; defaults are the real ones.</summary>
public sealed class AgentRunnerHooks
{
    /// <summary>Where reports go; null writes the report file.</summary>
    public HealthReportSink? ReportWriter { get; init; }

    /// <summary>The HTTP handler for webhooks and heartbeats; null for a default SocketsHttpHandler.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Webhook retry settings; null for <see cref="WebhookDelivery.Default"/>.</summary>
    public WebhookDelivery? WebhookDelivery { get; init; }

    /// <summary>Register SIGTERM/SIGINT/SIGQUIT (stop) and SIGHUP/SIGUSR1/SIGUSR2 (forward). Off for in-process tests.</summary>
    public bool HandleSignals { get; init; } = true;
}

/// <summary>
/// `poddle agent`: tuning phase, validation phase, then the app under the supervisor with the monitor (health rounds,
/// report file, alerts, heartbeats) and, when the agent is PID 1 or a subreaper, the zombie reaper beside it.
/// Returns the exit code: the app's (128 + signal when a signal ended it), or one of the agent's own.
/// </summary>
public sealed partial class AgentRunner(AgentRunContext context, Func<AgentRunContext, IHealthRound> healthRounds, AgentRunnerHooks? hooks = null)
{
    /// <summary>A validation check failed: the app was not started (EX_CONFIG of sysexits.h).</summary>
    public const int ValidationFailed = 78;

    private readonly AgentRunnerHooks _hooks = hooks ?? new AgentRunnerHooks();
    private readonly ILogger _logger = context.LoggerFactory.CreateLogger("Poddle.Agent");

    /// <summary>Runs the agent until the app ends for good or a stop (a signal, or <paramref name="cancellationToken"/>).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var options = context.Options;
        var loggers = context.LoggerFactory;
        var time = context.Time;
        LogStarting(_logger, context.Environment.Kind, context.Environment.PodId ?? "-", Environment.ProcessId);

        var reap = ZombieReaper.IsInitProcess;
        if (options.Subreaper)
        {
            reap |= ZombieReaper.TryBecomeSubreaper();
        }

        if (!options.SkipTuning)
        {
            context.Variables.TryGetValue("PATH", out var path);
            var tuner = new SystemTuner(new TuningSettings(options.ProcSys, options.NvidiaSmi, options.OpenFiles, options.Somaxconn, options.Swappiness, path), loggers.CreateLogger<SystemTuner>());
            var steps = await tuner.TuneAsync(cancellationToken);
            var status = new TuningStatus(context.Environment.PodId, context.Environment.Kind, context.Environment.Hostname, time.GetUtcNow(), steps);
            await tuner.WriteStatusAsync(options.StatusFile, status, cancellationToken);
        }

        var children = new ChildProcesses();
        var validator = new StartupValidator(new ValidationSettings(options.RequireFiles, options.ValidateCommand, options.RequireFreePorts, TimeSpan.FromSeconds(60)), children);
        var failures = await validator.ValidateAsync(cancellationToken);
        if (failures.Count > 0)
        {
            foreach (var failure in failures)
            {
                LogValidationFailed(_logger, failure);
            }

            LogNotStarting(_logger, failures.Count, ValidationFailed);
            return ValidationFailed;
        }

        if (options.Worker)
        {
            return await RunWorkerAsync(children, reap, cancellationToken);
        }

        using var supervisor = new AppSupervisor(
            new SupervisorSettings(options.Command, options.Shell, options.Restart, options.RestartDelay, options.RestartMaxDelay, options.RestartResetAfter, options.GracePeriod),
            children,
            context.Variables,
            loggers.CreateLogger<AppSupervisor>(),
            time);

        using var http = new HttpClient(_hooks.HttpHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }, disposeHandler: _hooks.HttpHandler is null)
        {
            // Every call has its own limit (Polly's attempt timeout, the heartbeat's); the client's own would race them.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        await using var webhooks = options.Webhooks.Count > 0
            ? new WebhookDispatcher(options.Webhooks, http, _hooks.WebhookDelivery ?? WebhookDelivery.Default, loggers.CreateLogger<WebhookDispatcher>(), time)
            : null;
        HeartbeatSender? heartbeat = null;
        if (options.Server is not null && options.AgentToken is not null)
        {
            heartbeat = new HeartbeatSender(options.Server, options.AgentToken, http, loggers.CreateLogger<HeartbeatSender>());
            var server = options.Server.GetLeftPart(UriPartial.Authority);
            LogHeartbeats(_logger, server, options.Period.TotalSeconds);
        }

        var round = healthRounds(context);
        using var roundLifetime = round as IDisposable;
        var monitor = new AgentMonitor(
            round,
            () => supervisor.State,
            _hooks.ReportWriter ?? AgentMonitor.FileWriter(options.ReportFile),
            new AlertPolicy(options.AlertThrottle, time),
            webhooks,
            heartbeat,
            options.Period,
            loggers.CreateLogger<AgentMonitor>(),
            time);

        var registrations = _hooks.HandleSignals ? RegisterSignals(supervisor) : [];
        try
        {
            using var background = new CancellationTokenSource();
            using var stopOnCancel = cancellationToken.Register(() => supervisor.RequestStop(LibC.SigTerm));
            var reaper = reap
                ? new ZombieReaper(children, loggers.CreateLogger<ZombieReaper>(), time).RunAsync(TimeSpan.FromSeconds(1), background.Token)
                : Task.CompletedTask;
            var monitoring = Task.Run(() => monitor.RunAsync(background.Token), CancellationToken.None);

            var exit = await supervisor.RunAsync(CancellationToken.None);

            await background.CancelAsync();
            await Task.WhenAll(monitoring, reaper);

            // One last round, so the report file and the alerts say how the app ended (its exit is often quicker than a
            // period). Bounded, with the webhooks' drain, to a few seconds: a container stop does not wait long.
            await monitor.RunRoundAsync(CancellationToken.None, TimeSpan.FromSeconds(3));
            await monitor.HeartbeatInFlight;
            if (webhooks is not null)
            {
                // Alerts raised just before the end (the app's last exit) get a short chance to go out.
                await webhooks.StopAsync(TimeSpan.FromSeconds(3));
            }

            LogExiting(_logger, exit);
            return exit;
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    /// <summary>
    /// Worker mode: the pool's worker loop instead of the supervisor and the monitor (the pool watches its workers
    /// through their pings). SIGTERM, SIGINT and SIGQUIT end it after the job in hand.
    /// </summary>
    private async Task<int> RunWorkerAsync(ChildProcesses children, bool reap, CancellationToken cancellationToken)
    {
        if (WorkerEnvironment.Read(context.Variables, out var errors) is not { } environment)
        {
            foreach (var error in errors)
            {
                LogValidationFailed(_logger, error);
            }

            LogNotStarting(_logger, errors.Count, ValidationFailed);
            return ValidationFailed;
        }

        using var http = new HttpClient(_hooks.HttpHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }, disposeHandler: _hooks.HttpHandler is null)
        {
            // Every call has its own limit (the long poll's, a post's).
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var options = context.Options;
        var process = new JobProcess(options.Command, options.Shell, context.Variables, children, context.Time);
        var loop = new PoolWorkerLoop(environment, process, http, context.LoggerFactory.CreateLogger<PoolWorkerLoop>(), context.Time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        PosixSignalRegistration[] registrations = _hooks.HandleSignals
            ?
            [
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); }),
                PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); }),
                PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => { c.Cancel = true; stop.Cancel(); }),
            ]
            : [];
        using var background = new CancellationTokenSource();
        try
        {
            var reaper = reap
                ? new ZombieReaper(children, context.LoggerFactory.CreateLogger<ZombieReaper>(), context.Time).RunAsync(TimeSpan.FromSeconds(1), background.Token)
                : Task.CompletedTask;
            var exit = await loop.RunAsync(stop.Token);
            await background.CancelAsync();
            await reaper;
            LogExiting(_logger, exit);
            return exit;
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    private static PosixSignalRegistration[] RegisterSignals(AppSupervisor supervisor)
    {
        // Cancel = true: the signal is the app's business; the agent exits when the app has, with its code.
        return
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; supervisor.RequestStop(LibC.SigTerm); }),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; supervisor.RequestStop(LibC.SigInt); }),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => { c.Cancel = true; supervisor.RequestStop(LibC.SigQuit); }),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; supervisor.Forward(LibC.SigHup); }),
            PosixSignalRegistration.Create((PosixSignal)LibC.SigUsr1, c => { c.Cancel = true; supervisor.Forward(LibC.SigUsr1); }),
            PosixSignalRegistration.Create((PosixSignal)LibC.SigUsr2, c => { c.Cancel = true; supervisor.Forward(LibC.SigUsr2); }),
        ];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "poddle agent starting (environment {Environment}, pod {PodId}, pid {Pid})")]
    private static partial void LogStarting(ILogger logger, string environment, string podId, int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Validation failed: {Failure}")]
    private static partial void LogValidationFailed(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} validation check(s) failed: the app is not started (exit code {ExitCode})")]
    private static partial void LogNotStarting(ILogger logger, int count, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Heartbeats to {Server} every {PeriodSeconds:0.#} s")]
    private static partial void LogHeartbeats(ILogger logger, string server, double periodSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "poddle agent exiting with {ExitCode}")]
    private static partial void LogExiting(ILogger logger, int exitCode);
}
