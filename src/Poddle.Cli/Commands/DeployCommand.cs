using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Deployments;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>
/// `poddle deploy [DIR]`: merges flags over the app file in DIR, packs and uploads DIR for a command, creates the
/// deployment or updates the one with that name, then follows it until it runs, fails or the timeout passes.
/// </summary>
internal static class DeployCommand
{
    /// <summary>How long `poddle deploy` waits by default.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public static Command Create(CliEnvironment environment, GlobalOptions globals)
    {
        var directory = new Argument<string>("dir") { Description = "The app's directory (default: the current one); its poddle.toml/poddle.yaml is read", Arity = ArgumentArity.ZeroOrOne };
        var project = DeploymentTarget.ProjectOption();
        var name = new Option<string?>("--name", "-n") { Description = "The deployment's name, a DNS label (default: `name` in the app file, else the directory's name)" };
        var image = new Option<string?>("--image") { Description = "A container image to run (docker driver)" };
        var command = new Option<string?>("--command") { Description = "A command line, run by /bin/sh -c in the uploaded directory (sandbox driver), e.g. \"python3 app.py\"; with --image, it replaces the image's command (CMD)" };
        var readOnly = new Option<bool>("--read-only") { Description = "Run with a read-only root filesystem (a small writable /tmp)" };
        var runAsNonRoot = new Option<bool>("--run-as-non-root") { Description = "Refuse to start if the app would run as root" };
        var user = new Option<string?>("--user") { Description = "Run as this user: uid, uid:gid, name or name:group (docker driver)" };
        var capAdd = new Option<string[]>("--cap-add") { Description = "Give back a Linux capability, e.g. NET_BIND_SERVICE (repeatable; docker driver; see docs/deployments.md)" };
        var registryServer = new Option<string?>("--registry-server") { Description = "A private registry's host[:port] to pull the image with credentials (password from $PODDLE_REGISTRY_PASSWORD or asked)" };
        var registryUsername = new Option<string?>("--registry-username") { Description = "The account for --registry-server" };
        var port = new Option<int?>("--port") { Description = "The port the app listens on (also $PORT; default 8080)" };
        var env = new Option<string[]>("--env", "-e") { Description = "An environment variable K=V (repeatable)" };
        var secret = new Option<string[]>("--secret", "-s") { Description = "A secret K=V, or K to read the value from the environment variable K (repeatable; never shown)" };
        var replicas = new Option<int?>("--replicas", "-r") { Description = "How many replicas" };
        var cpu = new Option<string?>("--cpu") { Description = "CPU per replica: 250m or 0.5 (cores)" };
        var memory = new Option<string?>("--memory") { Description = "Memory per replica: 256Mi, 512M, 1Gi" };
        var healthPath = new Option<string?>("--health-path") { Description = "Probe this HTTP path for readiness and liveness (default: a TCP check of the port)" };
        var driver = new Option<string?>("--driver") { Description = "sandbox (default for a command) or docker (default for an image)" };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the server accepted the deployment, without following it" };
        var timeout = new Option<string?>("--timeout") { Description = "How long to wait until the deployment runs: 90s, 5m (default 5m)" };
        var deploy = new Command("deploy", "Deploy an app: create it, or roll out a new revision of the deployment with that name, and follow it until it runs")
        {
            directory, project, name, image, command, port, env, secret, replicas, cpu, memory, healthPath, driver, noWait, timeout,
            readOnly, runAsNonRoot, user, capAdd, registryServer, registryUsername,
        };
        deploy.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var dir = Path.GetFullPath(parse.GetValue(directory) ?? ".", environment.WorkingDirectory);
            if (!Directory.Exists(dir))
            {
                throw CliException.Usage($"There is no directory '{dir}'.");
            }

            var manifest = AppManifest.Load(dir);
            var flags = new DeployFlags(
                parse.GetValue(name), parse.GetValue(image), parse.GetValue(command), parse.GetValue(port), parse.GetValue(env) ?? [],
                parse.GetValue(secret) ?? [], parse.GetValue(replicas), parse.GetValue(cpu), parse.GetValue(memory), parse.GetValue(healthPath), parse.GetValue(driver))
            {
                ReadOnlyRootFilesystem = parse.GetValue(readOnly),
                RunAsNonRoot = parse.GetValue(runAsNonRoot),
                User = parse.GetValue(user),
                CapAdd = parse.GetValue(capAdd) ?? [],
                RegistryServer = parse.GetValue(registryServer),
                RegistryUsername = parse.GetValue(registryUsername),
            };
            var plan = DeployPlan.Merge(manifest, flags, dir, key => ReadSecret(context, key), () => ReadRegistryPassword(context));
            var wait = parse.GetValue(timeout) is { } t
                ? Quantities.ParseDuration(t) is { } d && d > TimeSpan.Zero ? d : throw CliException.Usage($"--timeout '{t}' is not a duration (90s, 5m, 1h).")
                : DefaultTimeout;

            var client = context.Authenticated();
            var target = await DeploymentTarget.ResolveProjectAsync(client, parse.GetValue(project), () => manifest.Project, cancellationToken);
            var existing = (await client.ListDeploymentsAsync(target.Id, cancellationToken)).FirstOrDefault(x => string.Equals(x.Name, plan.Name, StringComparison.Ordinal));
            if (existing is not null && plan.Driver is not null && !string.Equals(existing.Driver, plan.Driver, StringComparison.Ordinal))
            {
                throw new CliException(
                    $"{plan.Name} runs on the {existing.Driver} driver; a deployment cannot change its driver. Remove it with `poddle rm {plan.Name} --project {target.Name}` and deploy again, or deploy under another --name.");
            }

            Guid? sourceId = null;
            if (plan.Command is not null && plan.Image is null)
            {
                sourceId = await UploadAsync(context, client, target, dir, cancellationToken);
            }

            DeploymentResponse deployment;
            var history = new HashSet<(Guid, int)>();
            if (existing is null)
            {
                deployment = await client.CreateDeploymentAsync(target.Id, plan.ToCreateRequest(sourceId), cancellationToken);
                context.Output.Message($"Creating {deployment.Name} in project {target.Name} (revision {deployment.Revision}).");
            }
            else
            {
                // Events from before this deploy are history: only what happens from now on is shown.
                history.UnionWith((await client.ListDeploymentEventsAsync(existing.Id, cancellationToken)).Select(e => (e.Id, e.Count)));
                deployment = await client.UpdateDeploymentAsync(existing.Id, plan.ToUpdateRequest(sourceId), cancellationToken);
                if (plan.Replicas is { } wanted && wanted != deployment.Replicas)
                {
                    deployment = await client.ScaleDeploymentAsync(existing.Id, new ScaleDeploymentRequest(wanted), cancellationToken);
                }

                context.Output.Message($"Updating {deployment.Name} in project {target.Name} to revision {deployment.Revision}.");
            }

            if (parse.GetValue(noWait))
            {
                return Finish(context, deployment, $"Accepted. It will be at {deployment.Url}; follow it with `poddle ps` and `poddle events {deployment.Name}`.");
            }

            return await FollowAsync(context, client, deployment, history, wait, cancellationToken);
        });
        return deploy;
    }

    private static async Task<Guid> UploadAsync(CliContext context, PoddleClient client, ProjectResponse project, string dir, CancellationToken cancellationToken)
    {
        using var bundle = new MemoryStream();
        var packed = SourcePacker.Pack(dir, bundle);
        bundle.Position = 0;
        var source = await client.UploadSourceAsync(project.Id, bundle, cancellationToken);
        context.Output.Message(string.Create(
            CultureInfo.InvariantCulture,
            $"Uploaded {packed.Files} file{(packed.Files == 1 ? string.Empty : "s")} from {dir} ({Size(bundle.Length)} packed, sha256 {source.Sha256[..Math.Min(12, source.Sha256.Length)]})."));
        return source.Id;
    }

    /// <summary>Polls the deployment and its events until the target revision runs with every replica ready, fails, or the time is up.</summary>
    private static async Task<ExitCode> FollowAsync(
        CliContext context, PoddleClient client, DeploymentResponse deployment, HashSet<(Guid, int)> seenEvents, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = context.Environment.Time;
        var deadline = time.GetUtcNow() + timeout;
        var targetRevision = deployment.Revision;
        string? lastState = null;
        while (true)
        {
            var state = string.Create(CultureInfo.InvariantCulture, $"{deployment.Status} · {ReadyOf(deployment, targetRevision)}/{deployment.Replicas} ready");
            if (state != lastState)
            {
                context.Output.Messages.MarkupLineInterpolated($"  [bold]{deployment.Status}[/] · {ReadyOf(deployment, targetRevision)}/{deployment.Replicas} ready{(deployment.StatusReason is { } why ? " · " + why : string.Empty)}");
                lastState = state;
            }

            var events = await client.ListDeploymentEventsAsync(deployment.Id, cancellationToken);
            foreach (var e in events.OrderBy(e => e.LastSeenAt))
            {
                if (seenEvents.Add((e.Id, e.Count)))
                {
                    // The first line only: a crash's stderr lines follow it, and are shown once, if the deploy stops for them.
                    context.Output.Messages.WriteLine(
                        $"  {e.LastSeenAt.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {e.Severity} {e.Reason}: {FirstLine(e.Message)}{(e.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (×{e.Count})") : string.Empty)}");
                }
            }

            if (deployment.Revision == targetRevision && deployment.ReplicaDetails.Where(r => r.Revision == targetRevision && r.CrashLooping).ToList() is { Count: > 0 } looping)
            {
                return CrashLooping(context, deployment, looping, events);
            }

            if (deployment.Revision != targetRevision)
            {
                return Fail(context, deployment, $"{deployment.Name} revision {targetRevision} did not become ready and the deployment is back on revision {deployment.Revision}"
                    + (deployment.StatusReason is { } r ? $": {r}" : string.Empty) + $". See `poddle events {deployment.Name}` and `poddle logs {deployment.Name}`.");
            }

            if (deployment.Status is "failed" or "deleted" or "stopped")
            {
                return Fail(context, deployment, $"{deployment.Name} {deployment.Status}: {deployment.StatusReason ?? "no reason given"}. See `poddle events {deployment.Name}` and `poddle logs {deployment.Name}`.");
            }

            if (deployment.Status == "running" && ReadyOf(deployment, targetRevision) >= deployment.Replicas)
            {
                if (context.Output.Json)
                {
                    context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
                }
                else
                {
                    context.Output.Success(string.Create(CultureInfo.InvariantCulture, $"{deployment.Name} is running ({deployment.ReadyReplicas}/{deployment.Replicas} ready, revision {deployment.Revision}): {deployment.Url}"));
                }

                return ExitCode.Ok;
            }

            if (time.GetUtcNow() >= deadline)
            {
                if (context.Output.Json)
                {
                    context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
                }

                context.Output.ErrorMessage(
                    $"{deployment.Name} is not running after {Quantities.Format(timeout)} ({lastState}); it may still get there. Watch it with `poddle ps` and `poddle events {deployment.Name}`, or deploy with a longer --timeout.");
                return ExitCode.Timeout;
            }

            await Task.Delay(context.Environment.PollInterval, time, cancellationToken);
            deployment = await client.GetDeploymentAsync(deployment.Id, cancellationToken);
        }
    }

    /// <summary>
    /// Replicas of the revision being deployed crash-loop (docs/deployments.md, "Health and restarts"): waiting longer only
    /// waits for longer back-offs, so say so now, with what each of them last wrote to stderr (from its latest
    /// ReplicaCrashed event, where the server masked the secrets).
    /// </summary>
    private static ExitCode CrashLooping(CliContext context, DeploymentResponse deployment, List<ReplicaResponse> looping, IReadOnlyList<DeploymentEventResponse> events)
    {
        var reasons = string.Join(", ", looping.Select(r => r.LastExitReason).OfType<string>().Distinct(StringComparer.Ordinal));
        var lines = new List<string>
        {
            string.Create(
                CultureInfo.InvariantCulture,
                $"{deployment.Name} is crashing: {looping.Count} of {deployment.Replicas} replicas of revision {deployment.Revision} keep exiting{(reasons.Length == 0 ? string.Empty : $" ({reasons})")}, so it will not become ready."),
        };
        foreach (var replica in looping)
        {
            var crash = events.Where(e => e.Type == "ReplicaCrashed" && e.ReplicaId == replica.Id).MaxBy(e => e.LastSeenAt);
            lines.Add(crash is null
                ? $"  replica {ShortId(replica)}: {replica.LastExitReason ?? "crashed"}"
                : "  " + crash.Message.Replace("\n", "\n  ", StringComparison.Ordinal));
        }

        lines.Add(deployment.ReplicaDetails.Any(r => r.Revision != deployment.Revision && r.Ready)
            ? $"The replicas of the previous revision keep serving, and the server rolls back if this one does not get ready. Fix the app and deploy again; see `poddle logs {deployment.Name}` and `poddle events {deployment.Name}`."
            : $"The server keeps restarting them with a growing back-off. Fix the app and deploy again; see `poddle logs {deployment.Name}` and `poddle events {deployment.Name}`.");
        return Fail(context, deployment, string.Join(Environment.NewLine, lines));
    }

    private static string FirstLine(string text) => text.IndexOf('\n', StringComparison.Ordinal) is var end and >= 0 ? text[..end] : text;

    /// <summary>The replica's short id as the server gives it (its full id from a server that gives none).</summary>
    internal static string ShortId(ReplicaResponse replica) => replica.ShortId ?? replica.Id.ToString();

    /// <summary>Ready replicas of <paramref name="revision"/> (all ready replicas when the server lists none).</summary>
    internal static int ReadyOf(DeploymentResponse deployment, int revision) =>
        deployment.ReplicaDetails.Count == 0 ? deployment.ReadyReplicas : deployment.ReplicaDetails.Count(r => r.Ready && r.Revision == revision);

    private static ExitCode Finish(CliContext context, DeploymentResponse deployment, string message)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
        }
        else
        {
            context.Output.Message(message);
        }

        return ExitCode.Ok;
    }

    private static ExitCode Fail(CliContext context, DeploymentResponse deployment, string message)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(deployment, PoddleJsonContext.Default.DeploymentResponse);
        }

        context.Output.ErrorMessage(message);
        return ExitCode.DeploymentFailed;
    }

    /// <summary>A secret's value from the environment variable of that name, else a hidden prompt in a terminal.</summary>
    internal static string ReadSecret(CliContext context, string key)
    {
        if (context.Environment.Variable(key) is { } value)
        {
            return value;
        }

        if (context.Environment.IsInteractive)
        {
            return context.Output.Error.Prompt(new TextPrompt<string>($"Value of secret {key}:").Secret());
        }

        throw CliException.Usage($"Secret {key} has no value: set the environment variable {key}, or pass --secret {key}=VALUE.");
    }

    /// <summary>The registry password: $PODDLE_REGISTRY_PASSWORD, else a hidden prompt in a terminal.</summary>
    internal static string ReadRegistryPassword(CliContext context)
    {
        if (context.Environment.Variable(DeployPlan.RegistryPasswordVariable) is { Length: > 0 } value)
        {
            return value;
        }

        if (context.Environment.IsInteractive)
        {
            return context.Output.Error.Prompt(new TextPrompt<string>("Registry password:").Secret());
        }

        throw CliException.Usage($"The registry credentials need a password: set the environment variable {DeployPlan.RegistryPasswordVariable}.");
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MiB"),
    };
}

/// <summary>What the deploy flags say (null or empty: not given).</summary>
internal sealed record DeployFlags(
    string? Name,
    string? Image,
    string? Command,
    int? Port,
    IReadOnlyList<string> Env,
    IReadOnlyList<string> Secrets,
    int? Replicas,
    string? Cpu,
    string? Memory,
    string? HealthPath,
    string? Driver)
{
    public bool ReadOnlyRootFilesystem { get; init; }

    public bool RunAsNonRoot { get; init; }

    public string? User { get; init; }

    public IReadOnlyList<string> CapAdd { get; init; } = [];

    public string? RegistryServer { get; init; }

    public string? RegistryUsername { get; init; }
}

/// <summary>The app file with the flags over it: what to send.</summary>
internal sealed record DeployPlan(
    string Name,
    string? Image,
    IReadOnlyList<string>? Command,
    int? Port,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, string> Secrets,
    int? Replicas,
    int? CpuMillicores,
    int? MemoryMb,
    HealthCheckDto? HealthCheck,
    string? Driver)
{
    /// <summary>Where the registry password comes from (never a flag or the app file).</summary>
    public const string RegistryPasswordVariable = "PODDLE_REGISTRY_PASSWORD";

    /// <summary>Security settings to send; null when neither the file nor a flag sets any.</summary>
    public SecurityDto? Security { get; init; }

    /// <summary>Registry credentials to send; null when none are named.</summary>
    public RegistryAuthDto? RegistryAuth { get; init; }

    /// <summary>
    /// Flags win over the file; env and secrets merge key by key. Secrets without a value come from
    /// <paramref name="readSecret"/>, a registry password from <paramref name="readRegistryPassword"/>.
    /// </summary>
    public static DeployPlan Merge(AppManifest manifest, DeployFlags flags, string directory, Func<string, string> readSecret, Func<string>? readRegistryPassword = null)
    {
        var name = flags.Name ?? manifest.Name ?? NameOf(directory);
        var flagCommand = flags.Command is null ? null : ShellCommand.Of(flags.Command);
        if (flagCommand is { Count: 0 })
        {
            throw CliException.Usage("--command is empty.");
        }

        // --image keeps the file's command only when the file's command overrides an image's too; --command alone
        // keeps the file's image (and overrides its command).
        var image = flags.Image ?? manifest.Image;
        var command = flagCommand ?? (flags.Image is not null && manifest.Image is null ? null : manifest.Command);

        if (image is null && command is null)
        {
            throw CliException.Usage("Nothing to run: pass --image IMAGE or --command \"CMD ARGS\", or set image or command in poddle.toml.");
        }

        var env = new Dictionary<string, string>(manifest.Env, StringComparer.Ordinal);
        foreach (var pair in flags.Env)
        {
            var (key, value) = Quantities.ParsePair(pair, "--env");
            env[key] = value ?? throw CliException.Usage($"--env {key} has no value: write --env {key}=VALUE.");
        }

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in manifest.Secrets)
        {
            secrets[key] = readSecret(key);
        }

        foreach (var pair in flags.Secrets)
        {
            var (key, value) = Quantities.ParsePair(pair, "--secret");
            secrets[key] = value ?? readSecret(key);
        }

        var cpu = flags.Cpu is null ? manifest.CpuMillicores : Quantities.ParseCpu(flags.Cpu) ?? throw CliException.Usage($"--cpu '{flags.Cpu}' is not a CPU amount: 250m or 0.5.");
        var memory = flags.Memory is null ? manifest.MemoryMb : Quantities.ParseMemoryMb(flags.Memory) ?? throw CliException.Usage($"--memory '{flags.Memory}' is not a size: 256Mi, 512M or 1Gi.");
        var health = flags.HealthPath is null
            ? manifest.HealthCheck
            : (manifest.HealthCheck ?? new HealthCheckDto("http")) with { Type = "http", Path = flags.HealthPath };
        return new DeployPlan(name, image, command, flags.Port ?? manifest.Port, env, secrets, flags.Replicas ?? manifest.Replicas, cpu, memory, health, flags.Driver ?? manifest.Driver)
        {
            Security = SecurityOf(manifest.Security, flags),
            RegistryAuth = RegistryAuthOf(manifest.RegistryAuth, flags, readRegistryPassword),
        };
    }

    private static SecurityDto? SecurityOf(SecurityDto? file, DeployFlags flags)
    {
        if (file is null && !flags.ReadOnlyRootFilesystem && !flags.RunAsNonRoot && flags.User is null && flags.CapAdd.Count == 0)
        {
            return null;
        }

        var from = file ?? new SecurityDto();
        return new SecurityDto(
            flags.ReadOnlyRootFilesystem ? true : from.ReadOnlyRootFilesystem,
            flags.RunAsNonRoot ? true : from.RunAsNonRoot,
            flags.User ?? from.User,
            flags.CapAdd.Count > 0 ? [.. (from.Capabilities ?? []).Concat(flags.CapAdd).Distinct(StringComparer.OrdinalIgnoreCase)] : from.Capabilities);
    }

    private static RegistryAuthDto? RegistryAuthOf((string? Server, string? Username)? file, DeployFlags flags, Func<string>? readPassword)
    {
        var server = flags.RegistryServer ?? file?.Server;
        var username = flags.RegistryUsername ?? file?.Username;
        if (server is null && username is null)
        {
            return null;
        }

        if (server is null || username is null)
        {
            throw CliException.Usage("Registry credentials need both a server and a username: --registry-server and --registry-username (or server and username under [registryAuth]).");
        }

        var password = readPassword?.Invoke() ?? throw CliException.Usage($"The registry credentials need a password: set {RegistryPasswordVariable}.");
        return new RegistryAuthDto(server, username, password);
    }

    public CreateDeploymentRequest ToCreateRequest(Guid? sourceId) => new(
        Name,
        Image,
        Command,
        sourceId,
        Port,
        Env.Count == 0 ? null : Env,
        Secrets.Count == 0 ? null : Secrets,
        CpuMillicores is null && MemoryMb is null ? null : new ResourcesDto(CpuMillicores, MemoryMb),
        Replicas,
        HealthCheck,
        Driver)
    {
        Security = Security,
        RegistryAuth = RegistryAuth,
    };

    /// <summary>A new revision with what is given; env and secret keys not named here stay as they are.</summary>
    public UpdateDeploymentRequest ToUpdateRequest(Guid? sourceId) => new(
        Image,
        Command,
        sourceId,
        Port,
        Env.Count == 0 ? null : Env.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal),
        Secrets.Count == 0 ? null : Secrets.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal),
        CpuMillicores is null && MemoryMb is null ? null : new ResourcesDto(CpuMillicores, MemoryMb),
        HealthCheck)
    {
        Security = Security,
        RegistryAuth = RegistryAuth,
    };

    /// <summary>A directory's name as a DNS label: lowercase, other characters as '-'.</summary>
    public static string NameOf(string directory)
    {
        var raw = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)).ToLowerInvariant();
        var label = new string(raw.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        label = label.Length > 63 ? label[..63].TrimEnd('-') : label;
        return label.Length > 0 ? label : throw CliException.Usage($"Cannot make a deployment name from the directory '{directory}'; pass --name NAME.");
    }
}
