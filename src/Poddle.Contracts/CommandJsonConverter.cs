using System.Text.Json;
using System.Text.Json.Serialization;

namespace Poddle.Contracts;

/// <summary>
/// Reads a deployment's <c>command</c> as a JSON array of strings (argv) or one string (run by <c>/bin/sh -c</c>,
/// <see cref="ShellCommand"/>); writes it as the array it became. Anything else is a JSON error, which the server
/// answers with a 400 naming the field. Null items are kept, so validation can name them (<c>command[1]</c>).
/// </summary>
public sealed class CommandJsonConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return ShellCommand.Of(reader.GetString()!);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("A command is a string (run by /bin/sh -c) or an array of strings.");
        }

        var argv = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            argv.Add(reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Null => null!,
                _ => throw new JsonException("Every item of a command array is a string."),
            });
        }

        return argv;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartArray();
        foreach (var argument in value)
        {
            writer.WriteStringValue(argument);
        }

        writer.WriteEndArray();
    }
}
