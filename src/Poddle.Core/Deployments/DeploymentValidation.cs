using System.Text.RegularExpressions;
using Poddle.Core.Common;
using Poddle.Drivers.Abstractions.Pods;

namespace Poddle.Core.Deployments;

/// <summary>
/// The rules a deployment's configuration must meet (docs/deployments.md, "API and validation"). Messages name the
/// field and the limit and never quote a value: env values, secret values and secret names stay out of them.
/// </summary>
public static partial class DeploymentValidation
{
    public const int DefaultPort = 8080;
    public const int DefaultCpuMillicores = 250;
    public const int DefaultMemoryMb = 256;
    public const int MinCpuMillicores = 10;
    public const int MinMemoryMb = 16;
    public const int MaxCommandArgs = 64;
    public const int MaxArgLength = 4096;
    public const int MaxVariables = 100;
    public const int MaxVariableNameLength = 256;
    public const int MaxVariableValueLength = 32 * 1024;

    /// <summary>Checks a name: a DNS label, and with the project's name still one label (the host name's first).</summary>
    public static void ValidateName(string? name, string projectName, FieldErrors errors)
    {
        if (!Validators.IsDnsLabel(name))
        {
            errors.Add(DeploymentFields.Name, "Must be a DNS label: 1-63 lower-case letters, digits or '-', not starting or ending with '-'.");
        }
        else if (DeploymentHostNames.Label(name!, projectName).Length > DeploymentHostNames.MaxLabelLength)
        {
            errors.Add(DeploymentFields.Name, $"'{name}-{projectName}' (deployment-project, the first label of its host name) must be at most {DeploymentHostNames.MaxLabelLength} characters; use a shorter name (at most {DeploymentHostNames.MaxLabelLength - 1 - projectName.Length}).");
        }
    }

    /// <summary>True for a valid environment variable name that Poddle does not reserve.</summary>
    public static bool IsVariableName(string? name) =>
        name is { Length: > 0 and <= MaxVariableNameLength } && VariableNameRegex().IsMatch(name);

    /// <summary>PORT and PODDLE_* are set by Poddle itself.</summary>
    public static bool IsReserved(string name) =>
        name == "PORT" || name.StartsWith("PODDLE_", StringComparison.Ordinal);

    internal static DeploymentSpec BuildSpec(
        string? image,
        IReadOnlyList<string>? command,
        Guid? sourceId,
        int? port,
        IReadOnlyDictionary<string, string> env,
        IReadOnlyDictionary<string, string> secrets,
        ResourcesInput? resources,
        ResourceSpec? currentResources,
        HealthCheckInput? healthCheck,
        HealthCheckSpec? currentHealthCheck,
        FieldErrors errors)
    {
        var hasImage = image is not null;
        var hasCommand = command is not null;
        if (!hasImage && !hasCommand)
        {
            errors.Add(DeploymentFields.Image, "Give an 'image' (a container image; 'command' then overrides its command) or a 'command' (argv to run, with an optional source bundle).");
        }

        if (hasImage && !ImageReference.TryParse(image, out _))
        {
            errors.Add(DeploymentFields.Image, "Not a valid image reference: [registry[:port]/]path[:tag][@sha256:<64 hex>], with lower-case path components and a tag of at most 128 of [A-Za-z0-9_.-].");
        }

        if (hasCommand && command!.Count == 0)
        {
            errors.Add(DeploymentFields.Command, "Empty: give a command line (a string, run by /bin/sh -c) or an array of 1 to 64 arguments.");
        }
        else if (hasCommand)
        {
            ValidateArgv(command!, DeploymentFields.Command, errors);
        }

        if (sourceId is not null && hasImage)
        {
            errors.Add(DeploymentFields.SourceId, "A source bundle runs with a command, not with an image.");
        }

        if (port is < 1 or > 65535)
        {
            errors.Add(DeploymentFields.Port, "Must be between 1 and 65535.");
        }

        ValidateVariables(env, DeploymentFields.Env, quoteNames: true, errors);
        ValidateVariables(secrets, DeploymentFields.Secrets, quoteNames: false, errors);
        foreach (var key in secrets.Keys.Where(env.ContainsKey))
        {
            errors.Add(DeploymentFields.Secrets, $"'{key}' is both an env variable and a secret; keep it in one of them.");
        }

        var cpu = resources?.CpuMillicores ?? currentResources?.CpuMillicores ?? DefaultCpuMillicores;
        var memory = resources?.MemoryMb ?? currentResources?.MemoryMb ?? DefaultMemoryMb;
        if (cpu < MinCpuMillicores)
        {
            errors.Add(DeploymentFields.CpuMillicores, $"Must be at least {MinCpuMillicores}.");
        }

        if (memory < MinMemoryMb)
        {
            errors.Add(DeploymentFields.MemoryMb, $"Must be at least {MinMemoryMb}.");
        }

        var health = healthCheck is null ? currentHealthCheck : BuildHealthCheck(healthCheck, errors);
        return new DeploymentSpec(
            image,
            command,
            sourceId,
            port ?? DefaultPort,
            new SortedDictionary<string, string>(env.ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal),
            [.. secrets.Keys.Order(StringComparer.Ordinal)],
            new ResourceSpec(cpu, memory),
            health);
    }

    /// <summary>Refuses what the tier does not allow (403 tier-limit, naming the field and the limit).</summary>
    internal static Error? CheckTier(string tierName, TierLimits limits, ResourceSpec resources, int replicas)
    {
        var errors = new FieldErrors();
        if (replicas > limits.MaxReplicas)
        {
            errors.Add(DeploymentFields.Replicas, $"The {tierName} tier allows at most {limits.MaxReplicas} replicas.");
        }

        if (resources.CpuMillicores > limits.MaxCpuMillicores)
        {
            errors.Add(DeploymentFields.CpuMillicores, $"The {tierName} tier allows at most {limits.MaxCpuMillicores} millicores per replica.");
        }

        if (resources.MemoryMb > limits.MaxMemoryMb)
        {
            errors.Add(DeploymentFields.MemoryMb, $"The {tierName} tier allows at most {limits.MaxMemoryMb} MiB per replica.");
        }

        var fields = errors.ToDictionary();
        return errors.IsEmpty
            ? null
            : new Error(ErrorKind.Forbidden, DeploymentErrorCodes.TierLimit, $"Over the limits of the {tierName} tier: {string.Join(" ", fields.Values.SelectMany(v => v))}", fields);
    }

    /// <summary>The driver named (or the default for the kind of spec) must be registered and able to run the spec.</summary>
    internal static IPodDriver? ResolveDriver(string? requested, DeploymentSpec spec, PodDriverRegistry drivers, DeploymentOptions options, FieldErrors errors)
    {
        var name = requested ?? (spec.Image is not null ? options.DefaultImageDriver : options.DefaultCommandDriver);
        var driver = drivers.Find(name);
        var available = drivers.Names.Count == 0 ? "none" : string.Join(", ", drivers.Names.Order(StringComparer.Ordinal));
        if (driver is null)
        {
            errors.Add(DeploymentFields.Driver, requested is null
                ? $"The default driver '{name}' for this kind of deployment is not available on this server (available: {available})."
                : $"Unknown driver '{Truncate(name, 40)}' (available: {available}).");
            return null;
        }

        if (spec.Image is not null && !driver.Capabilities.Images)
        {
            errors.Add(DeploymentFields.Driver, $"The driver '{name}' cannot run images; use one of: {string.Join(", ", drivers.All.Where(d => d.Capabilities.Images).Select(d => d.Name).Order(StringComparer.Ordinal))}.");
        }

        if (spec.Command is not null && spec.Image is null && !driver.Capabilities.Commands)
        {
            errors.Add(DeploymentFields.Driver, $"The driver '{name}' cannot run plain commands; use one of: {string.Join(", ", drivers.All.Where(d => d.Capabilities.Commands).Select(d => d.Name).Order(StringComparer.Ordinal))}.");
        }

        CheckDriverAbilities(driver, spec, errors);
        return driver;
    }

    private static HealthCheckSpec? BuildHealthCheck(HealthCheckInput input, FieldErrors errors)
    {
        var type = input.Type?.ToLowerInvariant();
        if (type is not ("http" or "tcp" or "command" or HealthCheckSpec.NoProbe))
        {
            errors.Add(DeploymentFields.HealthCheckType, $"Must be 'http', 'tcp', 'command' or '{HealthCheckSpec.NoProbe}' (no probe: ready while running).");
            return null;
        }

        if (type == HealthCheckSpec.NoProbe && input.Port is not null)
        {
            errors.Add(DeploymentFields.HealthCheckPort, $"A '{HealthCheckSpec.NoProbe}' check probes no port.");
        }

        var path = type == "http" ? input.Path ?? "/" : null;
        if (type == "http" && (!path!.StartsWith('/') || path.Length > 2048 || path.Any(char.IsControl) || path.Contains(' ', StringComparison.Ordinal)))
        {
            errors.Add(DeploymentFields.HealthCheckPath, "Must start with '/', at most 2048 characters, without spaces or control characters.");
        }

        if (type != "http" && input.Path is not null)
        {
            errors.Add(DeploymentFields.HealthCheckPath, "Only an http check has a path.");
        }

        if (type == "command")
        {
            if (input.Command is null)
            {
                errors.Add(DeploymentFields.HealthCheckCommand, "A command check needs the command (argv) to run.");
            }
            else
            {
                ValidateArgv(input.Command, DeploymentFields.HealthCheckCommand, errors);
            }
        }
        else if (input.Command is not null)
        {
            errors.Add(DeploymentFields.HealthCheckCommand, "Only a command check has a command.");
        }

        if (input.Port is < 1 or > 65535)
        {
            errors.Add(DeploymentFields.HealthCheckPort, "Must be between 1 and 65535.");
        }

        var period = Range(input.PeriodSeconds, 10, 1, 300, DeploymentFields.HealthCheckPeriodSeconds, errors);
        var timeout = Range(input.TimeoutSeconds, 1, 1, 60, DeploymentFields.HealthCheckTimeoutSeconds, errors);
        var threshold = Range(input.FailureThreshold, 3, 1, 30, DeploymentFields.HealthCheckFailureThreshold, errors);
        var delay = Range(input.InitialDelaySeconds, 0, 0, 3600, DeploymentFields.HealthCheckInitialDelaySeconds, errors);
        return new HealthCheckSpec(type, path, input.Port, type == "command" ? input.Command : null, period, timeout, threshold, delay);
    }

    private static int Range(int? value, int fallback, int min, int max, FieldPath field, FieldErrors errors)
    {
        var actual = value ?? fallback;
        if (actual < min || actual > max)
        {
            errors.Add(field, $"Must be between {min} and {max}.");
        }

        return actual;
    }

    private static void ValidateArgv(IReadOnlyList<string> argv, FieldPath field, FieldErrors errors)
    {
        if (argv.Count is < 1 or > MaxCommandArgs)
        {
            errors.Add(field, $"Must have 1 to {MaxCommandArgs} arguments.");
            return;
        }

        if (string.IsNullOrWhiteSpace(argv[0]))
        {
            errors.Add(field, "The first argument (the program) must not be empty.");
        }

        for (var i = 0; i < argv.Count; i++)
        {
            if (argv[i] is null || argv[i].Length > MaxArgLength || argv[i].Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(field.Index(i), $"Must be a string of at most {MaxArgLength} characters without NUL.");
            }
        }
    }

    private static void ValidateVariables(IReadOnlyDictionary<string, string> variables, FieldPath field, bool quoteNames, FieldErrors errors)
    {
        if (variables.Count > MaxVariables)
        {
            errors.Add(field, $"At most {MaxVariables} entries.");
        }

        foreach (var (name, value) in variables)
        {
            // Secret names are not quoted: a value pasted where a name belongs must not come back in an error.
            var entry = quoteNames ? field.Key(Truncate(name, 64)) : field;
            if (!IsVariableName(name))
            {
                errors.Add(entry, $"Names must match [A-Za-z_][A-Za-z0-9_]* and be at most {MaxVariableNameLength} characters.");
            }
            else if (IsReserved(name))
            {
                errors.Add(entry, quoteNames ? "PORT and names starting with PODDLE_ are set by Poddle." : $"'{name}' is reserved: PORT and names starting with PODDLE_ are set by Poddle.");
            }

            if (value is null)
            {
                errors.Add(entry, "A value is required.");
            }
            else if (value.Length > MaxVariableValueLength || value.Contains('\0', StringComparison.Ordinal))
            {
                errors.Add(entry, $"Values must be at most {MaxVariableValueLength} characters, without NUL.");
            }
        }
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max] + "…";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex VariableNameRegex();
}
