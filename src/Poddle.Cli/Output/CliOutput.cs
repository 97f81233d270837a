using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Poddle.Cli.Output;

/// <summary>
/// Where a command writes. People get tables and sentences on standard output; with --json, standard output
/// carries exactly one JSON document and every sentence goes to standard error. Errors always go to standard error.
/// Colour is off with --no-color, with NO_COLOR set, or when the stream is not a terminal.
/// </summary>
internal sealed class CliOutput
{
    private readonly CliEnvironment _environment;

    public CliOutput(CliEnvironment environment, bool json, bool noColor)
    {
        _environment = environment;
        Json = json;
        var color = !noColor && environment.Variable(CliEnvironment.NoColorVariable) is null;
        Out = CreateConsole(environment.Out, color && environment.OutputIsTerminal, environment.OutputIsTerminal, environment.IsInteractive);
        Error = CreateConsole(environment.Error, color && environment.ErrorIsTerminal, environment.ErrorIsTerminal, environment.IsInteractive);
    }

    public bool Json { get; }

    /// <summary>Standard output, for tables and results.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard error, for errors, warnings and prompts.</summary>
    public IAnsiConsole Error { get; }

    /// <summary>The console for sentences: stdout for people, stderr under --json so stdout stays pure JSON.</summary>
    public IAnsiConsole Messages => Json ? Error : Out;

    /// <summary>Writes a plain sentence (no markup is interpreted).</summary>
    public void Message(string text) => Messages.WriteLine(text);

    public void Success(string text) => Messages.MarkupLineInterpolated($"[green]{text}[/]");

    public void Warning(string text) => Error.MarkupLineInterpolated($"[yellow]warning:[/] {text}");

    public void ErrorMessage(string text) => Error.MarkupLineInterpolated($"[red]error:[/] {text}");

    /// <summary>Writes <paramref name="value"/> as indented JSON, alone, to standard output.</summary>
    public void WriteJson<T>(T value, JsonTypeInfo<T> type)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            JsonSerializer.Serialize(writer, value, type);
        }

        _environment.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        _environment.Out.Flush();
    }

    /// <summary>A command's result: <paramref name="value"/> as JSON with --json, else <paramref name="message"/> for people.</summary>
    public void Result<T>(T value, JsonTypeInfo<T> type, string message)
    {
        if (Json)
        {
            WriteJson(value, type);
        }
        else
        {
            Success(message);
        }
    }

    /// <summary>A table in the house style.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(column)).NoWrap());
        }

        return table;
    }

    /// <summary>A time for people: local, to the minute ("2026-01-02 15:04").</summary>
    public static string Minute(DateTimeOffset value) => value.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static IAnsiConsole CreateConsole(TextWriter writer, bool color, bool terminal, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = color ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });

        if (!terminal)
        {
            // Piped output is read by programs and people's tools: do not wrap it at 80 columns.
            console.Profile.Width = 240;
        }

        return console;
    }
}
