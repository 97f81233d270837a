using Poddle.Contracts;

namespace Poddle.Cli.Deployments;

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
