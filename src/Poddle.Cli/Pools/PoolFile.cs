using System.Globalization;
using Poddle.Contracts;
using Tomlyn;
using Tomlyn.Model;

namespace Poddle.Cli.Pools;

/// <summary>
/// A pool file (`poddle-pool.toml`, docs/pools.md "Pool file"): what `poddle pools create` and `update` send. Every
/// key is a field of the API's request, in the same spelling; `secrets` lists names whose values are read from this
/// machine's environment (never from the file), as in `poddle.toml`.
/// </summary>
internal static class PoolFile
{
    /// <summary>The file looked for when none is named.</summary>
    public const string DefaultName = "poddle-pool.toml";

    private static readonly HashSet<string> Keys = new(
        ["name", "image", "command", "sourceId", "env", "secrets", "resources", "driver", "minWorkers", "maxWorkers", "scaler", "idleTimeout",
         "scaleUpWindow", "scaleDownWindow", "executionTimeout", "ttl", "maxRetries", "gpu", "storage", "budgetPerHour"],
        StringComparer.Ordinal);

    /// <summary>Reads <paramref name="path"/> into a create request; a mistake is a usage error naming the key.</summary>
    public static CreatePoolRequest Read(string path, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!File.Exists(path))
        {
            throw CliException.Usage($"No pool file at {path}; write one (docs/pools.md, \"Pool file\") or name it with --file.");
        }

        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(path)) ?? new TomlTable();
        }
        catch (TomlException ex)
        {
            throw CliException.Usage($"{path} is not valid TOML: {ex.Message}");
        }

        if (table.Keys.FirstOrDefault(k => !Keys.Contains(k)) is { } unknown)
        {
            throw CliException.Usage($"{path}: unknown key '{unknown}' (known: {string.Join(", ", Keys.Order(StringComparer.Ordinal))}).");
        }

        return new CreatePoolRequest(
            Text(table, "name", path),
            Text(table, "image", path),
            Command(table, path),
            Text(table, "sourceId", path) is { } source ? Guid.TryParse(source, out var id) ? id : throw CliException.Usage($"{path}: sourceId must be a bundle id.") : null,
            Table(table, "env", path)?.ToDictionary(e => e.Key, e => Convert.ToString(e.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal),
            Secrets(table, path, environment),
            Table(table, "resources", path) is { } resources ? new ResourcesDto(Number(resources, "cpuMillicores", path), Number(resources, "memoryMb", path)) : null,
            Text(table, "driver", path),
            Number(table, "minWorkers", path),
            Number(table, "maxWorkers", path),
            Table(table, "scaler", path) is { } scaler ? new PoolScalerDto(Text(scaler, "type", path), Number(scaler, "value", path)) : null,
            Number(table, "idleTimeout", path),
            Number(table, "scaleUpWindow", path),
            Number(table, "scaleDownWindow", path),
            Number(table, "executionTimeout", path),
            Number(table, "ttl", path),
            Number(table, "maxRetries", path),
            Table(table, "gpu", path) is { } gpu
                ? new PoolGpuDto(Texts(gpu, "types", path), Number(gpu, "count", path), Texts(gpu, "cloudTypes", path), Decimal(gpu, "spotBid", path))
                : null,
            Table(table, "storage", path) is { } storage
                ? new PoolStorageDto(Number(storage, "containerDiskGb", path), Number(storage, "volumeGb", path), Text(storage, "volumeMountPath", path))
                : null,
            Money(table, "budgetPerHour", path));
    }

    /// <summary>The same file as an update: every field but the name and the driver (which cannot change).</summary>
    public static UpdatePoolRequest ToUpdate(CreatePoolRequest file) => new(
        file.Image,
        file.Command,
        file.SourceId,
        file.Env?.ToDictionary(e => e.Key, e => (string?)e.Value, StringComparer.Ordinal),
        file.Secrets?.ToDictionary(e => e.Key, e => (string?)e.Value, StringComparer.Ordinal),
        file.Resources,
        file.MinWorkers,
        file.MaxWorkers,
        file.Scaler,
        file.IdleTimeout,
        file.ScaleUpWindow,
        file.ScaleDownWindow,
        file.ExecutionTimeout,
        file.Ttl,
        file.MaxRetries,
        file.Gpu,
        file.Storage,
        file.BudgetPerHour);

    private static string? Text(TomlTable table, string key, string path) => table.TryGetValue(key, out var value)
        ? value as string ?? throw CliException.Usage($"{path}: {key} must be a string.")
        : null;

    /// <summary>A money amount (USD): a TOML integer or float.</summary>
    private static decimal? Money(TomlTable table, string key, string path) => table.TryGetValue(key, out var value)
        ? value switch
        {
            long n => n,
            double d when double.IsFinite(d) && Math.Abs(d) < 1e15 => (decimal)d,
            _ => throw CliException.Usage($"{path}: {key} must be a number (USD per hour)."),
        }
        : null;

    private static int? Number(TomlTable table, string key, string path) => table.TryGetValue(key, out var value)
        ? value is long n and >= int.MinValue and <= int.MaxValue ? (int)n : throw CliException.Usage($"{path}: {key} must be a whole number.")
        : null;

    private static decimal? Decimal(TomlTable table, string key, string path) => table.TryGetValue(key, out var value)
        ? value switch
        {
            long n => n,
            double d when double.IsFinite(d) && Math.Abs(d) < 1e9 => (decimal)d,
            _ => throw CliException.Usage($"{path}: {key} must be a number."),
        }
        : null;

    private static List<string>? Texts(TomlTable table, string key, string path) => table.TryGetValue(key, out var value)
        ? value is TomlArray array && array.All(a => a is string) ? [.. array.Cast<string>()] : throw CliException.Usage($"{path}: {key} must be an array of strings.")
        : null;

    private static TomlTable? Table(TomlTable table, string key, string path) => table.TryGetValue(key, out var value)
        ? value as TomlTable ?? throw CliException.Usage($"{path}: {key} must be a table ([{key}]).")
        : null;

    private static IReadOnlyList<string>? Command(TomlTable table, string path) => table.TryGetValue("command", out var value)
        ? value switch
        {
            string line => ShellCommand.Of(line),
            TomlArray array when array.All(a => a is string) => [.. array.Cast<string>()],
            _ => throw CliException.Usage($"{path}: command must be a string (run by /bin/sh -c) or an array of strings."),
        }
        : null;

    private static Dictionary<string, string>? Secrets(TomlTable table, string path, Func<string, string?> environment)
    {
        if (!table.TryGetValue("secrets", out var value))
        {
            return null;
        }

        if (value is not TomlArray names || names.Any(n => n is not string))
        {
            throw CliException.Usage($"{path}: secrets must be an array of names; their values are read from this machine's environment.");
        }

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names.Cast<string>())
        {
            secrets[name] = environment(name) ?? throw CliException.Usage($"The secret {name} is listed in {path} but not set in this environment; export {name}=... first.");
        }

        return secrets;
    }
}
