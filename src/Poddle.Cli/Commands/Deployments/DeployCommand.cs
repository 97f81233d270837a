using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Deployments;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Deployments;

/// <summary>
/// `poddle deploy [DIR]`: merges flags over the app file in DIR, packs and uploads DIR for a command, creates the
/// deployment or updates the one with that name, then follows it until it runs, fails or the timeout passes.
/// </summary>
internal sealed partial class DeployCommand : CliCommand
{
    /// <summary>How long `poddle deploy` waits by default.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private readonly Argument<string> _directory = new("dir") { Description = "The app's directory (default: the current one); its poddle.toml/poddle.yaml is read", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> _project = DeploymentTarget.ProjectOption();
    private readonly Option<string?> _name = new("--name", "-n") { Description = "The deployment's name, a DNS label (default: `name` in the app file, else the directory's name)" };
    private readonly Option<string?> _image = new("--image") { Description = "A container image to run (docker driver)" };
    private readonly Option<string?> _command = new("--command") { Description = "A command line, run by /bin/sh -c in the uploaded directory (sandbox driver), e.g. \"python3 app.py\"; with --image, it replaces the image's command (CMD)" };
    private readonly Option<bool> _readOnly = new("--read-only") { Description = "Run with a read-only root filesystem (a small writable /tmp)" };
    private readonly Option<bool> _runAsNonRoot = new("--run-as-non-root") { Description = "Refuse to start if the app would run as root" };
    private readonly Option<string?> _user = new("--user") { Description = "Run as this user: uid, uid:gid, name or name:group (docker driver)" };
    private readonly Option<string[]> _capAdd = new("--cap-add") { Description = "Give back a Linux capability, e.g. NET_BIND_SERVICE (repeatable; docker driver; see docs/deployments.md)" };
    private readonly Option<string?> _registryServer = new("--registry-server") { Description = "A private registry's host[:port] to pull the image with credentials (password from $PODDLE_REGISTRY_PASSWORD or asked)" };
    private readonly Option<string?> _registryUsername = new("--registry-username") { Description = "The account for --registry-server" };
    private readonly Option<int?> _port = new("--port") { Description = "The port the app listens on (also $PORT; default 8080)" };
    private readonly Option<string[]> _env = new("--env", "-e") { Description = "An environment variable K=V (repeatable)" };
    private readonly Option<string[]> _secret = new("--secret", "-s") { Description = "A secret K=V, or K to read the value from the environment variable K (repeatable; never shown)" };
    private readonly Option<int?> _replicas = new("--replicas", "-r") { Description = "How many replicas" };
    private readonly Option<string?> _cpu = new("--cpu") { Description = "CPU per replica: 250m or 0.5 (cores)" };
    private readonly Option<string?> _memory = new("--memory") { Description = "Memory per replica: 256Mi, 512M, 1Gi" };
    private readonly Option<string?> _healthPath = new("--health-path") { Description = "Probe this HTTP path for readiness and liveness (default: a TCP check of the port)" };
    private readonly Option<string?> _driver = new("--driver") { Description = "sandbox (default for a command) or docker (default for an image)" };
    private readonly Option<bool> _noWait = new("--no-wait") { Description = "Return once the server accepted the deployment, without following it" };
    private readonly Option<string?> _timeout = new("--timeout") { Description = "How long to wait until the deployment runs: 90s, 5m (default 5m)" };

    public DeployCommand(CliEnvironment environment, GlobalOptions globals)
        : base("deploy", "Deploy an app: create it, or roll out a new revision of the deployment with that name, and follow it until it runs", environment, globals)
    {
        Arguments.Add(_directory);
        Options.Add(_project);
        Options.Add(_name);
        Options.Add(_image);
        Options.Add(_command);
        Options.Add(_port);
        Options.Add(_env);
        Options.Add(_secret);
        Options.Add(_replicas);
        Options.Add(_cpu);
        Options.Add(_memory);
        Options.Add(_healthPath);
        Options.Add(_driver);
        Options.Add(_noWait);
        Options.Add(_timeout);
        Options.Add(_readOnly);
        Options.Add(_runAsNonRoot);
        Options.Add(_user);
        Options.Add(_capAdd);
        Options.Add(_registryServer);
        Options.Add(_registryUsername);
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

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var dir = Path.GetFullPath(parse.GetValue(_directory) ?? ".", environment.WorkingDirectory);
        if (!Directory.Exists(dir))
        {
            throw CliException.Usage($"There is no directory '{dir}'.");
        }

        var manifest = AppManifest.Load(dir);
        var flags = new DeployFlags(
            parse.GetValue(_name), parse.GetValue(_image), parse.GetValue(_command), parse.GetValue(_port), parse.GetValue(_env) ?? [],
            parse.GetValue(_secret) ?? [], parse.GetValue(_replicas), parse.GetValue(_cpu), parse.GetValue(_memory), parse.GetValue(_healthPath), parse.GetValue(_driver))
        {
            ReadOnlyRootFilesystem = parse.GetValue(_readOnly),
            RunAsNonRoot = parse.GetValue(_runAsNonRoot),
            User = parse.GetValue(_user),
            CapAdd = parse.GetValue(_capAdd) ?? [],
            RegistryServer = parse.GetValue(_registryServer),
            RegistryUsername = parse.GetValue(_registryUsername),
        };
        var plan = DeployPlan.Merge(manifest, flags, dir, key => ReadSecret(context, key), () => ReadRegistryPassword(context));
        var wait = parse.GetValue(_timeout) is { } t
            ? Quantities.ParseDuration(t) is { } d && d > TimeSpan.Zero ? d : throw CliException.Usage($"--timeout '{t}' is not a duration (90s, 5m, 1h).")
            : DefaultTimeout;

        var client = context.Authenticated();
        var target = await DeploymentTarget.ResolveProjectAsync(client, parse.GetValue(_project), () => manifest.Project, cancellationToken);
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

        if (parse.GetValue(_noWait))
        {
            return Finish(context, deployment, $"Accepted. It will be at {deployment.Url}; follow it with `poddle ps` and `poddle events {deployment.Name}`.");
        }

        return await FollowAsync(context, client, deployment, history, wait, cancellationToken);
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
}
