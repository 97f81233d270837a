using Poddle.Agent.Health;
using Poddle.Agent.Alerts;
using Poddle.Agent.Supervisor;

namespace Poddle.Agent.Options;

/// <summary>
/// Everything `poddle agent` was told, validated (see <see cref="AgentOptionsBuilder"/> for where each value comes from:
/// flag, then PODDLE_AGENT_* variable, then the config file, then the default).
/// </summary>
public sealed class AgentOptions
{
    /// <summary>The app's argv (after `--`); with <see cref="Shell"/>, one shell command line.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Run the command through /bin/sh -c (the words joined by spaces).</summary>
    public bool Shell { get; init; }

    /// <summary>
    /// Worker mode (`--worker`): instead of supervising the command, take a pool's jobs (RunPod's worker protocol) and
    /// run the command once per job (docs/agent.md "Worker mode").
    /// </summary>
    public bool Worker { get; init; }

    public RestartPolicy Restart { get; init; } = RestartPolicy.OnFailure;

    /// <summary>The first back-off before a restart; it doubles up to <see cref="RestartMaxDelay"/>.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RestartMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>An app that stayed up this long starts the back-off again from <see cref="RestartDelay"/>.</summary>
    public TimeSpan RestartResetAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the app has after SIGTERM/SIGINT before its process group is killed.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Become a child subreaper (prctl) so orphans are reaped even when the agent is not PID 1.</summary>
    public bool Subreaper { get; init; }

    public bool SkipTuning { get; init; }

    public string StatusFile { get; init; } = "/tmp/pod-optimization-status.json";

    public string ProcSys { get; init; } = "/proc/sys";

    /// <summary>nvidia-smi: a path, or a name looked up in PATH.</summary>
    public string NvidiaSmi { get; init; } = "nvidia-smi";

    public int OpenFiles { get; init; } = 65536;

    public int Somaxconn { get; init; } = 4096;

    public int Swappiness { get; init; } = 10;

    public IReadOnlyList<string> RequireFiles { get; init; } = [];

    /// <summary>A shell command that must exit 0 before the app starts (`nginx -t`).</summary>
    public string? ValidateCommand { get; init; }

    public IReadOnlyList<int> RequireFreePorts { get; init; } = [];

    /// <summary>How often the monitor runs a health round.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(30);

    public string ReportFile { get; init; } = "/tmp/health-report.json";

    public IReadOnlyList<WebhookTarget> Webhooks { get; init; } = [];

    /// <summary>At most one problem alert per check in this window.</summary>
    public TimeSpan AlertThrottle { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>PODDLE_SERVER: where heartbeats go; heartbeats are sent only with <see cref="AgentToken"/> too.</summary>
    public Uri? Server { get; init; }

    /// <summary>PODDLE_AGENT_TOKEN. Never logged.</summary>
    public string? AgentToken { get; init; }

    /// <summary>
    /// What each health round checks: the app's endpoint (--health-url, --health-body, --health-timeout), CPU, memory,
    /// disk (--cpu-threshold, --memory-threshold, --disk-threshold, --disk-path) and the GPUs (--nvidia-smi).
    /// </summary>
    public HealthCheckOptions Health { get; init; } = new();
}
