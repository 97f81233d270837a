using System.Globalization;
using Poddle.Contracts;
using Tomlyn;
using Tomlyn.Model;

namespace Poddle.Cli.Fleet;

/// <summary>
/// A pod template file (`poddle pods create --file pod.toml`, docs/cli.md): the keys of POST /api/pods in the same
/// spelling (driver, name, image, gpuType, gpuCount, containerDiskGb, volumeGb, volumeMountPath, ports, env, cloudType,
/// spotBid). Flags given on the command line win over the file.
/// </summary>
internal static class PodTemplateFile
{
    private static readonly HashSet<string> Keys = new(
        ["driver", "name", "image", "gpuType", "gpuCount", "containerDiskGb", "volumeGb", "volumeMountPath", "ports", "env", "cloudType", "spotBid"],
        StringComparer.Ordinal);

    /// <summary>Reads <paramref name="path"/>; a mistake is a usage error naming the key.</summary>
    public static CreatePodRequest Read(string path)
    {
        if (!File.Exists(path))
        {
            throw CliException.Usage($"No pod template at {path}; write one (docs/cli.md, \"poddle pods\") or give the fields as flags.");
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

        return new CreatePodRequest(
            Text(table, "driver", path),
            Text(table, "name", path),
            Text(table, "image", path),
            Text(table, "gpuType", path),
            Number(table, "gpuCount", path),
            Number(table, "containerDiskGb", path),
            Number(table, "volumeGb", path),
            Text(table, "volumeMountPath", path),
            table.TryGetValue("ports", out var ports)
                ? ports is TomlArray array && array.All(p => p is string) ? [.. array.Cast<string>()] : throw CliException.Usage($"{path}: ports must be an array of strings such as \"8888/http\".")
                : null,
            table.TryGetValue("env", out var env)
                ? env is TomlTable vars ? vars.ToDictionary(e => e.Key, e => Convert.ToString(e.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal) : throw CliException.Usage($"{path}: env must be a table ([env]).")
                : null,
            Text(table, "cloudType", path),
            table.TryGetValue("spotBid", out var bid)
                ? bid switch
                {
                    double d => (decimal)d,
                    long l => l,
                    _ => throw CliException.Usage($"{path}: spotBid must be a number (dollars per GPU per hour)."),
                }
                : null);
    }

    private static string? Text(TomlTable table, string key, string path) => table.TryGetValue(key, out var value)
        ? value as string ?? throw CliException.Usage($"{path}: {key} must be a string.")
        : null;

    private static int? Number(TomlTable table, string key, string path) => table.TryGetValue(key, out var value)
        ? value is long n and >= int.MinValue and <= int.MaxValue ? (int)n : throw CliException.Usage($"{path}: {key} must be a whole number.")
        : null;
}
