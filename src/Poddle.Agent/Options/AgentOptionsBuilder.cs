using System.Globalization;
using System.Text.Json;
using Poddle.Agent.Alerts;
using Poddle.Agent.Health;
using Poddle.Agent.Supervisor;

namespace Poddle.Agent.Options;

/// <summary>What kind of value an agent option takes.</summary>
public enum AgentOptionKind
{
    Text,
    Duration,
    Number,
    Flag,
    List,
}

/// <summary>
/// One option of `poddle agent`: the flag `--Key`, the variable PODDLE_AGENT_KEY (dashes as underscores), and the
/// config file property "Key". A list takes repeated flags, ';'-separated variable values, or a JSON array.
/// </summary>
public sealed record AgentOptionSpec(string Key, AgentOptionKind Kind, string Description, string? Default)
{
    public string Flag => "--" + Key;

    public string Variable => "PODDLE_AGENT_" + Key.Replace('-', '_').ToUpperInvariant();

    /// <summary>"--key / PODDLE_AGENT_KEY", the way errors name the option.</summary>
    public string Names => $"{Flag} / {Variable}";
}

/// <summary>
/// Builds <see cref="AgentOptions"/> from flags, PODDLE_AGENT_* variables and an optional JSON config file (in that
/// order of precedence), and validates every value; every error names the option to fix.
/// </summary>
public static class AgentOptionsBuilder
{
    /// <summary>PODDLE_AGENT_CONFIG or --config: a JSON object whose properties are the option names.</summary>
    public const string ConfigVariable = "PODDLE_AGENT_CONFIG";

    public const string ServerVariable = "PODDLE_SERVER";

    public const string TokenVariable = "PODDLE_AGENT_TOKEN";

    /// <summary>Every option, in the order `--help` lists them.</summary>
    public static IReadOnlyList<AgentOptionSpec> Specs { get; } =
    [
        new("restart", AgentOptionKind.Text, "Restart policy: always, on-failure or never", "on-failure"),
        new("restart-delay", AgentOptionKind.Duration, "First back-off before a restart; doubles each time", "1s"),
        new("restart-max-delay", AgentOptionKind.Duration, "Longest back-off", "60s"),
        new("restart-reset-after", AgentOptionKind.Duration, "An app up this long starts the back-off again from restart-delay", "30s"),
        new("grace-period", AgentOptionKind.Duration, "Time the app has after SIGTERM/SIGINT before its process group gets SIGKILL", "10s"),
        new("shell", AgentOptionKind.Flag, "Run the app command through /bin/sh -c", "false"),
        new("worker", AgentOptionKind.Flag, "Be a pool's worker: take jobs with RunPod's worker protocol (the RUNPOD_* variables the pool gives) and run the command once per job, input on stdin, output from stdout", "false"),
        new("subreaper", AgentOptionKind.Flag, "Reap orphaned processes even when not PID 1 (prctl PR_SET_CHILD_SUBREAPER)", "false"),
        new("skip-tuning", AgentOptionKind.Flag, "Skip the tuning phase (no status file either)", "false"),
        new("status-file", AgentOptionKind.Text, "Where the tuning phase writes what it did", "/tmp/pod-optimization-status.json"),
        new("proc-sys", AgentOptionKind.Text, "The sysctl tree tuned (tests point it elsewhere)", "/proc/sys"),
        new("nvidia-smi", AgentOptionKind.Text, "nvidia-smi path or name looked up in PATH", "nvidia-smi"),
        new("nofile", AgentOptionKind.Number, "Open-files limit (RLIMIT_NOFILE) to raise to; capped at the hard limit", "65536"),
        new("somaxconn", AgentOptionKind.Number, "net.core.somaxconn to set when /proc/sys is writable", "4096"),
        new("swappiness", AgentOptionKind.Number, "vm.swappiness to set when /proc/sys is writable", "10"),
        new("require-file", AgentOptionKind.List, "A file that must exist before the app starts (repeatable)", null),
        new("validate-command", AgentOptionKind.Text, "A shell command that must exit 0 before the app starts, e.g. 'nginx -t'", null),
        new("require-free-port", AgentOptionKind.List, "A TCP port that must be free before the app starts (repeatable)", null),
        new("period", AgentOptionKind.Duration, "Time between health rounds", "30s"),
        new("report-file", AgentOptionKind.Text, "Where each round's health report is written", "/tmp/health-report.json"),
        new("webhook", AgentOptionKind.List, "Alert webhook [json=|slack=|discord=]URL (repeatable)", null),
        new("alert-throttle", AgentOptionKind.Duration, "At most one problem alert per check in this window", "5m"),
        new("health-url", AgentOptionKind.Text, "The app's health endpoint each round GETs, e.g. http://127.0.0.1:8080/health (200 passes; 3 failed rounds in a row are critical)", null),
        new("health-body", AgentOptionKind.Text, "Text the health endpoint's 200 answer must contain, e.g. healthy", null),
        new("health-timeout", AgentOptionKind.Duration, "Time one health request may take; a hanging endpoint fails (and is retried once after 1 s)", "5s"),
        new("cpu-threshold", AgentOptionKind.Number, "CPU % (of the cgroup quota in a container) at which the pod is degraded (critical at 95)", "80"),
        new("memory-threshold", AgentOptionKind.Number, "Memory % (of the cgroup limit, else of the machine) at which the pod is degraded (critical at 95)", "85"),
        new("disk-threshold", AgentOptionKind.Number, "Disk % at which the pod is degraded (critical at 95)", "90"),
        new("disk-path", AgentOptionKind.List, "A filesystem to check, by any path on it (repeatable)", "/"),
    ];

    /// <summary>Builds and validates the options.</summary>
    /// <param name="flags">Values given as flags, by option key (unset options absent).</param>
    /// <param name="variables">The environment.</param>
    /// <param name="configFile">--config; null falls back to PODDLE_AGENT_CONFIG, then no file.</param>
    /// <param name="command">The app's argv, after `--`.</param>
    /// <param name="errors">One message per bad option, naming it.</param>
    public static AgentOptions? Build(
        IReadOnlyDictionary<string, IReadOnlyList<string>> flags,
        IReadOnlyDictionary<string, string> variables,
        string? configFile,
        IReadOnlyList<string> command,
        out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var file = ReadConfigFile(configFile ?? Get(variables, ConfigVariable), problems);
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var spec in Specs)
        {
            if (flags.TryGetValue(spec.Key, out var flag) && flag.Count > 0)
            {
                values[spec.Key] = flag;
            }
            else if (Get(variables, spec.Variable) is { } variable)
            {
                values[spec.Key] = spec.Kind == AgentOptionKind.List
                    ? variable.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : [variable];
            }
            else if (file.TryGetValue(spec.Key, out var fromFile))
            {
                values[spec.Key] = fromFile;
            }
        }

        var parser = new Parser(values, problems);
        var restart = parser.Text("restart", "on-failure") switch
        {
            "always" => RestartPolicy.Always,
            "on-failure" => RestartPolicy.OnFailure,
            "never" => RestartPolicy.Never,
            var other => parser.Fail<RestartPolicy>("restart", $"'{other}' is not always, on-failure or never", RestartPolicy.OnFailure),
        };

        var options = new AgentOptions
        {
            Command = command,
            Shell = parser.Flag("shell"),
            Worker = parser.Flag("worker"),
            Restart = restart,
            RestartDelay = parser.Duration("restart-delay", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10)),
            RestartMaxDelay = parser.Duration("restart-max-delay", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(10)),
            RestartResetAfter = parser.Duration("restart-reset-after", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10)),
            GracePeriod = parser.Duration("grace-period", TimeSpan.FromSeconds(10), TimeSpan.Zero),
            Subreaper = parser.Flag("subreaper"),
            SkipTuning = parser.Flag("skip-tuning"),
            StatusFile = parser.Text("status-file", "/tmp/pod-optimization-status.json"),
            ProcSys = parser.Text("proc-sys", "/proc/sys"),
            NvidiaSmi = parser.Text("nvidia-smi", "nvidia-smi"),
            OpenFiles = parser.Integer("nofile", 65536, 1024, int.MaxValue),
            Somaxconn = parser.Integer("somaxconn", 4096, 1, 1 << 20),
            Swappiness = parser.Integer("swappiness", 10, 0, 200),
            RequireFiles = parser.List("require-file"),
            ValidateCommand = parser.TextOrNull("validate-command"),
            RequireFreePorts = [.. parser.List("require-free-port").Select(p => parser.Port("require-free-port", p))],
            Period = parser.Duration("period", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)),
            ReportFile = parser.Text("report-file", "/tmp/health-report.json"),
            Webhooks = [.. parser.List("webhook").Select(w => parser.Webhook(w)).OfType<WebhookTarget>()],
            AlertThrottle = parser.Duration("alert-throttle", TimeSpan.FromMinutes(5), TimeSpan.Zero),
            Server = ParseServer(variables, problems),
            AgentToken = Get(variables, TokenVariable),
            Health = HealthOptions(parser, problems),
        };

        if (options.RestartMaxDelay < options.RestartDelay)
        {
            problems.Add($"--restart-max-delay / PODDLE_AGENT_RESTART_MAX_DELAY: {options.RestartMaxDelay} is shorter than restart-delay {options.RestartDelay}");
        }

        if (command.Count == 0 || string.IsNullOrWhiteSpace(command[0]))
        {
            problems.Add("app command: missing; write it after `--`, e.g. `poddle agent -- python3 -m http.server 8080`");
        }

        errors = problems;
        return problems.Count == 0 ? options : null;
    }

    /// <summary>Parses "500ms", "10s", "5m", "1h" or a bare number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        var value = text.Trim();
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        var scale = 1.0;
        foreach (var (suffix, unitScale) in units)
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                value = value[..^suffix.Length];
                scale = unitScale;
                break;
            }
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0 && double.IsFinite(number) && number * scale < TimeSpan.MaxValue.TotalSeconds)
        {
            duration = TimeSpan.FromSeconds(number * scale);
            return true;
        }

        duration = default;
        return false;
    }

    private static HealthCheckOptions HealthOptions(Parser parser, List<string> problems)
    {
        var health = new HealthCheckOptions
        {
            AppBodyContains = parser.TextOrNull("health-body"),
            AppTimeout = parser.Duration("health-timeout", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10)),
            CpuPercent = parser.Integer("cpu-threshold", 80, 1, 100),
            MemoryPercent = parser.Integer("memory-threshold", 85, 1, 100),
            DiskPercent = parser.Integer("disk-threshold", 90, 1, 100),
            NvidiaSmiCommand = parser.Text("nvidia-smi", "nvidia-smi"),
        };
        if (parser.TextOrNull("health-url") is { } url)
        {
            health.AppUrl = Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri
                : parser.Fail<Uri?>("health-url", $"'{url}' is not an http(s) URL", null);
        }

        if (parser.List("disk-path") is { Count: > 0 } disks)
        {
            health.DiskPaths = [.. disks];
        }

        // A degraded threshold above its critical twin (95) is raised with it, so --cpu-threshold 98 still means something.
        health.CriticalCpuPercent = Math.Max(health.CriticalCpuPercent, health.CpuPercent);
        health.CriticalMemoryPercent = Math.Max(health.CriticalMemoryPercent, health.MemoryPercent);
        health.CriticalDiskPercent = Math.Max(health.CriticalDiskPercent, health.DiskPercent);
        problems.AddRange(health.Validate().Select(p => "health: " + p));
        return health;
    }

    private static Uri? ParseServer(IReadOnlyDictionary<string, string> variables, List<string> problems)
    {
        if (Get(variables, ServerVariable) is not { } server)
        {
            return null;
        }

        if (Uri.TryCreate(server, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        problems.Add($"{ServerVariable}: '{server}' is not an http(s) URL");
        return null;
    }

    private static string? Get(IReadOnlyDictionary<string, string> variables, string name) =>
        variables.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private static Dictionary<string, IReadOnlyList<string>> ReadConfigFile(string? path, List<string> problems)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (path is null)
        {
            return values;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"--config / {ConfigVariable}: {path} is not a JSON object");
                return values;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (Specs.FirstOrDefault(s => s.Key == property.Name) is null)
                {
                    problems.Add($"--config / {ConfigVariable}: {path}: unknown option \"{property.Name}\"");
                    continue;
                }

                values[property.Name] = property.Value.ValueKind == JsonValueKind.Array
                    ? [.. property.Value.EnumerateArray().Select(Scalar)]
                    : [Scalar(property.Value)];
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            problems.Add($"--config / {ConfigVariable}: cannot read {path}: {ex.Message}");
        }

        return values;
    }

    private static string Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() ?? string.Empty,
        _ => element.GetRawText(),
    };

    private sealed class Parser(Dictionary<string, IReadOnlyList<string>> values, List<string> problems)
    {
        public T Fail<T>(string key, string message, T fallback)
        {
            problems.Add($"{Spec(key).Names}: {message}");
            return fallback;
        }

        public string Text(string key, string fallback) => TextOrNull(key) ?? fallback;

        public string? TextOrNull(string key) =>
            values.TryGetValue(key, out var value) && value.Count > 0 && !string.IsNullOrWhiteSpace(value[^1]) ? value[^1].Trim() : null;

        public IReadOnlyList<string> List(string key) => values.TryGetValue(key, out var value) ? value : [];

        public bool Flag(string key) => TextOrNull(key) switch
        {
            null => false,
            var text when bool.TryParse(text, out var flag) => flag,
            "1" or "yes" => true,
            "0" or "no" => false,
            var text => Fail(key, $"'{text}' is not true or false", false),
        };

        public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan minimum)
        {
            if (TextOrNull(key) is not { } text)
            {
                return fallback;
            }

            if (!TryParseDuration(text, out var duration))
            {
                return Fail(key, $"'{text}' is not a duration (500ms, 10s, 5m, 1h, or seconds)", fallback);
            }

            return duration < minimum ? Fail(key, $"{text} is shorter than the minimum {minimum.TotalMilliseconds} ms", fallback) : duration;
        }

        public int Integer(string key, int fallback, int minimum, int maximum)
        {
            if (TextOrNull(key) is not { } text)
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum
                ? number
                : Fail(key, $"'{text}' is not a whole number from {minimum} to {maximum}", fallback);
        }

        public int Port(string key, string text) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
                ? port
                : Fail(key, $"'{text}' is not a port (1-65535)", 0);

        public WebhookTarget? Webhook(string text) =>
            WebhookTarget.Parse(text, out var error) ?? Fail<WebhookTarget?>("webhook", error ?? "invalid", null);

        private static AgentOptionSpec Spec(string key) => Specs.First(s => s.Key == key);
    }
}
