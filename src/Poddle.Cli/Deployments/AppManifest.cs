using System.Globalization;
using Tomlyn;
using Tomlyn.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Poddle.Cli.Deployments;

/// <summary>
/// An app's `poddle.toml` (or `poddle.yaml` / `poddle.yml`): what `poddle deploy` deploys when no flag says
/// otherwise. Every field is optional; docs/cli.md "App file" is the schema.
/// </summary>
internal sealed record AppManifest
{
    /// <summary>The file names looked for, in this order.</summary>
    public static readonly IReadOnlyList<string> FileNames = ["poddle.toml", "poddle.yaml", "poddle.yml"];

    private static readonly HashSet<string> TopLevelKeys =
        new(["name", "project", "image", "command", "port", "env", "secrets", "replicas", "resources", "healthCheck", "driver", "security", "registryAuth"], StringComparer.Ordinal);

    private static readonly HashSet<string> SecurityKeys =
        new(["readOnlyRootFilesystem", "runAsNonRoot", "user", "capabilities"], StringComparer.Ordinal);

    private static readonly HashSet<string> RegistryAuthKeys = new(["server", "username"], StringComparer.Ordinal);

    private static readonly HashSet<string> HealthKeys =
        new(["type", "path", "port", "command", "periodSeconds", "timeoutSeconds", "failureThreshold", "initialDelaySeconds"], StringComparer.Ordinal);

    /// <summary>The file it was read from; null when there was none.</summary>
    public string? Path { get; init; }

    public string? Name { get; init; }

    public string? Project { get; init; }

    public string? Image { get; init; }

    public IReadOnlyList<string>? Command { get; init; }

    public int? Port { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Names of secrets whose values are read from this machine's environment at deploy time (never from the file).</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    public int? Replicas { get; init; }

    public int? CpuMillicores { get; init; }

    public int? MemoryMb { get; init; }

    public Contracts.HealthCheckDto? HealthCheck { get; init; }

    public string? Driver { get; init; }

    /// <summary>The [security] table; null when the file has none.</summary>
    public Contracts.SecurityDto? Security { get; init; }

    /// <summary>The [registryAuth] table's server and username (its password never comes from the file); null when none.</summary>
    public (string? Server, string? Username)? RegistryAuth { get; init; }

    /// <summary>The manifest in <paramref name="directory"/>, or an empty one when it has none.</summary>
    public static AppManifest Load(string directory)
    {
        var found = FileNames.Select(name => System.IO.Path.Combine(directory, name)).Where(File.Exists).ToList();
        if (found.Count == 0)
        {
            return new AppManifest();
        }

        if (found.Count > 1)
        {
            throw new CliException($"{directory} has both {System.IO.Path.GetFileName(found[0])} and {System.IO.Path.GetFileName(found[1])}; keep one.");
        }

        string text;
        try
        {
            text = File.ReadAllText(found[0]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {found[0]}: {ex.Message}");
        }

        return found[0].EndsWith(".toml", StringComparison.Ordinal) ? ParseToml(text, found[0]) : ParseYaml(text, found[0]);
    }

    /// <summary>Parses TOML text; <paramref name="path"/> names the file in messages.</summary>
    public static AppManifest ParseToml(string text, string path)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable();
        }
        catch (TomlException ex)
        {
            throw new CliException($"{path} is not valid TOML: {ex.Message}");
        }

        return FromTree(ToTree(table), path);
    }

    /// <summary>Parses YAML text; <paramref name="path"/> names the file in messages.</summary>
    public static AppManifest ParseYaml(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new CliException($"{path} is not valid YAML (line {ex.Start.Line}): {ex.InnerException?.Message ?? ex.Message}");
        }

        if (stream.Documents.Count == 0)
        {
            return new AppManifest { Path = path };
        }

        var root = ToTree(stream.Documents[0].RootNode);
        if (root is not Dictionary<string, object?> map)
        {
            throw new CliException($"{path}: the document must be a mapping of settings (name: web, port: 8080, ...).");
        }

        return FromTree(map, path);
    }

    private static object? ToTree(object? toml) => toml switch
    {
        TomlTable table => table.ToDictionary(kv => kv.Key, kv => ToTree(kv.Value), StringComparer.Ordinal),
        TomlArray array => array.Select(ToTree).ToList(),
        TomlTableArray tables => tables.Select(t => ToTree(t)).ToList(),
        _ => toml,
    };

    private static Dictionary<string, object?> ToTree(TomlTable table) => (Dictionary<string, object?>)ToTree((object)table)!;

    private static object? ToTree(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? string.Empty, kv => ToTree(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(ToTree).ToList(),
        YamlScalarNode scalar => scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" ? null : scalar.Value,
        _ => null,
    };

    private static AppManifest FromTree(Dictionary<string, object?> root, string path)
    {
        foreach (var key in root.Keys.Where(k => !TopLevelKeys.Contains(k)))
        {
            throw Bad(path, key, $"unknown setting (known: {string.Join(", ", TopLevelKeys)})");
        }

        var resources = Table(root, "resources", path);
        var health = Table(root, "healthCheck", path);
        if (health is not null)
        {
            foreach (var key in health.Keys.Where(k => !HealthKeys.Contains(k)))
            {
                throw Bad(path, "healthCheck." + key, $"unknown setting (known: {string.Join(", ", HealthKeys)})");
            }
        }

        var env = Table(root, "env", path) ?? [];
        var envValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in env)
        {
            if (!Quantities.IsEnvName(key))
            {
                throw Bad(path, "env." + key, "not a valid variable name (letters, digits and '_', not starting with a digit)");
            }

            envValues[key] = Scalar(value, "env." + key, path) ?? string.Empty;
        }

        var secrets = StringList(root, "secrets", path) ?? [];
        foreach (var secret in secrets.Where(s => !Quantities.IsEnvName(s)))
        {
            throw Bad(path, "secrets", $"'{secret}' is not a valid variable name");
        }

        // Both: the command overrides the image's own (CMD).
        var image = String(root, "image", path);
        var command = CommandOf(root, "command", path, shell: true);
        var security = Table(root, "security", path);
        foreach (var key in security?.Keys.Where(k => !SecurityKeys.Contains(k)) ?? [])
        {
            throw Bad(path, "security." + key, $"unknown setting (known: {string.Join(", ", SecurityKeys)})");
        }

        var registry = Table(root, "registryAuth", path);
        foreach (var key in registry?.Keys.Where(k => !RegistryAuthKeys.Contains(k)) ?? [])
        {
            throw Bad(path, "registryAuth." + key, key == "password"
                ? "a password never goes in the app file: set PODDLE_REGISTRY_PASSWORD when you deploy (or type it when asked)"
                : $"unknown setting (known: {string.Join(", ", RegistryAuthKeys)})");
        }

        var cpu = resources is null ? null : String(resources, "cpu", path, "resources.");
        var memory = resources is null ? null : String(resources, "memory", path, "resources.");
        return new AppManifest
        {
            Path = path,
            Name = String(root, "name", path),
            Project = String(root, "project", path),
            Image = image,
            Command = command,
            Port = Int(root, "port", path),
            Env = envValues,
            Secrets = secrets,
            Replicas = Int(root, "replicas", path),
            CpuMillicores = cpu is null ? null : Quantities.ParseCpu(cpu) ?? throw Bad(path, "resources.cpu", $"'{cpu}' is not a CPU amount (250m, 0.5, 1)"),
            MemoryMb = memory is null ? null : Quantities.ParseMemoryMb(memory) ?? throw Bad(path, "resources.memory", $"'{memory}' is not a memory size (256Mi, 512M, 1Gi)"),
            HealthCheck = health is null ? null : new Contracts.HealthCheckDto(
                String(health, "type", path, "healthCheck.") ?? (String(health, "path", path, "healthCheck.") is null ? "tcp" : "http"),
                String(health, "path", path, "healthCheck."),
                Int(health, "port", path, "healthCheck."),
                CommandOf(health, "command", path, "healthCheck."),
                Int(health, "periodSeconds", path, "healthCheck."),
                Int(health, "timeoutSeconds", path, "healthCheck."),
                Int(health, "failureThreshold", path, "healthCheck."),
                Int(health, "initialDelaySeconds", path, "healthCheck.")),
            Driver = String(root, "driver", path),
            Security = security is null ? null : new Contracts.SecurityDto(
                Bool(security, "readOnlyRootFilesystem", path, "security."),
                Bool(security, "runAsNonRoot", path, "security."),
                String(security, "user", path, "security."),
                StringList(security, "capabilities", path, "security.")),
            RegistryAuth = registry is null ? null : (String(registry, "server", path, "registryAuth."), String(registry, "username", path, "registryAuth.")),
        };
    }

    private static bool? Bool(Dictionary<string, object?> map, string key, string path, string prefix = "") =>
        !map.TryGetValue(key, out var value) || value is null
            ? null
            : value switch
            {
                bool b => b,
                string s when bool.TryParse(s, out var parsed) => parsed,
                _ => throw Bad(path, prefix + key, $"'{Scalar(value, prefix + key, path)}' is not true or false"),
            };

    private static CliException Bad(string path, string field, string message) => new($"{path}: {field}: {message}.");

    private static Dictionary<string, object?>? Table(Dictionary<string, object?> map, string key, string path) =>
        map.TryGetValue(key, out var value) && value is not null
            ? value as Dictionary<string, object?> ?? throw Bad(path, key, "must be a table of settings")
            : null;

    private static string? Scalar(object? value, string field, string path) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        long or int or double => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => throw Bad(path, field, "must be a single value"),
    };

    private static string? String(Dictionary<string, object?> map, string key, string path, string prefix = "") =>
        map.TryGetValue(key, out var value) ? Scalar(value, prefix + key, path) : null;

    private static int? Int(Dictionary<string, object?> map, string key, string path, string prefix = "")
    {
        if (!map.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }

        return value switch
        {
            long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
            string s when int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
            _ => throw Bad(path, prefix + key, $"'{Scalar(value, prefix + key, path)}' is not a whole number"),
        };
    }

    private static List<string>? StringList(Dictionary<string, object?> map, string key, string path, string prefix = "") =>
        map.TryGetValue(key, out var value) && value is not null
            ? value is List<object?> list
                ? list.Select(item => Scalar(item, prefix + key, path) ?? string.Empty).ToList()
                : throw Bad(path, prefix + key, "must be a list")
            : null;

    /// <summary>
    /// A command as a list of words (run as given), or a string: the app's command runs it with /bin/sh -c
    /// (<see cref="Contracts.ShellCommand"/>), a health check's command splits it as a shell splits words.
    /// </summary>
    private static IReadOnlyList<string>? CommandOf(Dictionary<string, object?> map, string key, string path, string prefix = "", bool shell = false)
    {
        if (!map.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }

        var words = value is List<object?> list
            ? list.Select(item => Scalar(item, prefix + key, path) ?? string.Empty).ToList()
            : shell ? Contracts.ShellCommand.Of(Scalar(value, prefix + key, path)!) : Quantities.SplitCommand(Scalar(value, prefix + key, path)!);
        return words.Count == 0 ? throw Bad(path, prefix + key, "is empty") : words;
    }
}
