using System.Text.Json;
using System.Text.Json.Serialization;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Executions;

/// <summary>The result as stored in <see cref="Execution.ResultJson"/>: both steps, raw bytes as base64.</summary>
public sealed record StoredExecutionResult(StepResult? Compile, StepResult? Run, string? Message)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static StoredExecutionResult? FromJson(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<StoredExecutionResult>(json, Json);
}

/// <summary>A source file as stored in <see cref="Execution.FilesJson"/>.</summary>
public sealed record StoredFile(string Name, byte[] Content)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string ToJson(IEnumerable<StoredFile> files) => JsonSerializer.Serialize(files, Json);

    public static IReadOnlyList<StoredFile> FromJson(string json) => JsonSerializer.Deserialize<List<StoredFile>>(json, Json) ?? [];

    public static string ArgsToJson(IReadOnlyList<string> args) => JsonSerializer.Serialize(args, Json);

    public static IReadOnlyList<string> ArgsFromJson(string json) => JsonSerializer.Deserialize<List<string>>(json, Json) ?? [];
}
