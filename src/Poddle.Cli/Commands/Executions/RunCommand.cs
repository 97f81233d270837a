using System.CommandLine;
using System.Globalization;
using System.Text;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Executions;

/// <summary>
/// `poddle run FILE [-- ARGS]`: a program in the server's sandbox. Its stdout and stderr come out here byte for byte,
/// a verdict line goes to stderr, and the exit code is the program's (<see cref="ExitCodeOf"/>).
/// </summary>
internal sealed class RunCommand : CliCommand
{
    /// <summary>File extensions and the language they mean.</summary>
    public static readonly IReadOnlyDictionary<string, string> Languages = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".py"] = "python",
        [".c"] = "c",
        [".cpp"] = "cpp",
        [".cc"] = "cpp",
        [".cxx"] = "cpp",
        [".js"] = "javascript",
        [".mjs"] = "javascript",
        [".java"] = "java",
        [".cs"] = "csharp",
        [".rs"] = "rust",
        [".sh"] = "bash",
    };

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly Argument<FileInfo> _file = new("file") { Description = "The program's source file" };
    private readonly Argument<string[]> _args = new("args") { Description = "Arguments of the program (after --)", Arity = ArgumentArity.ZeroOrMore };
    private readonly Option<string?> _language = new("--lang") { Description = "The language (default: from the file's extension: .py .c .cpp .js .java .cs .rs .sh)" };
    private readonly Option<FileInfo?> _stdin = new("--stdin") { Description = "A file whose contents are the program's standard input ('-': this command's own)" };

    public RunCommand(CliEnvironment environment, GlobalOptions globals)
        : base(
            "run",
            "Run a program in the server's sandbox: its stdout and stderr come out here byte for byte, a verdict line goes to stderr, and the exit code is the program's (see docs/cli.md)",
            environment,
            globals)
    {
        Arguments.Add(_file);
        Arguments.Add(_args);
        Options.Add(_language);
        Options.Add(_stdin);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var source = parse.GetRequiredValue(_file);
        var lang = parse.GetValue(_language) ?? LanguageOf(source.Name);
        if (!source.Exists)
        {
            throw new CliException($"There is no file '{source.FullName}'.");
        }

        var input = parse.GetValue(_stdin) is { } stdinFile
            ? stdinFile.Name == "-" ? await environment.In.ReadToEndAsync(cancellationToken) : await ReadAsync(stdinFile, cancellationToken)
            : null;
        var request = new SubmitExecutionRequest(lang, await ReadAsync(source, cancellationToken), input, parse.GetValue(_args) is { Length: > 0 } a ? a : null);
        var client = context.Authenticated();
        var submitted = await client.SubmitExecutionAsync(request, wait: true, base64: true, cancellationToken);
        var result = submitted.Result;
        while (result is null || result.Status is ExecutionStatuses.Queued or ExecutionStatuses.Processing)
        {
            // Not done within the server's wait bound: poll until it is.
            await Task.Delay(PollInterval, cancellationToken);
            result = await client.GetExecutionResultAsync(submitted.JobId, base64: true, cancellationToken);
        }

        if (context.Output.Json)
        {
            context.Output.WriteJson(result, PoddleJsonContext.Default.ExecutionResultResponse);
        }
        else
        {
            await WriteBytesAsync(environment.Out, environment.OutStream, Decode(result.Stdout), cancellationToken);
            await WriteBytesAsync(environment.Error, environment.ErrorStream, Decode(result.Stderr), cancellationToken);
            context.Output.Error.WriteLine(VerdictLine(result));
        }

        return (ExitCode)ExitCodeOf(result);
    }

    /// <summary>The language of a file by its extension; a usage error when it has none we know.</summary>
    public static string LanguageOf(string fileName) =>
        Languages.TryGetValue(Path.GetExtension(fileName), out var language)
            ? language
            : throw new CliException($"Cannot tell the language of '{fileName}' from its extension; pass --lang (see `poddle runtimes`).", ExitCode.Usage);

    /// <summary>
    /// The exit code of `poddle run`: the program's own for ok and runtime_error (128+N when signal N killed it),
    /// and a fixed code for every other verdict, so a failure is never 0.
    /// </summary>
    public static int ExitCodeOf(ExecutionResultResponse result) => result.Verdict switch
    {
        "ok" => result.ExitCode ?? 0,
        "runtime_error" => result.ExitCode is { } code and not 0 ? code : result.Signal is { } signal ? 128 + SignalNumber(signal) : 1,
        "compile_error" => 126,
        "time_limit_exceeded" => 124,
        "memory_limit_exceeded" => 137,
        "output_limit_exceeded" => 153,
        _ => 70, // internal_error, or failed without a verdict
    };

    /// <summary>One line: the verdict, the exit code or signal when not ok, wall time, peak memory, and the server's message.</summary>
    public static string VerdictLine(ExecutionResultResponse result)
    {
        var parts = new List<string> { result.Verdict ?? result.Status };
        if (result.Verdict != "ok" && result.ExitCode is { } code)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"exit {code}"));
        }

        if (result.Signal is { } signal)
        {
            parts.Add("signal " + signal);
        }

        if (result.WallMs is { } wall)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{wall} ms"));
        }

        if (result.MemoryKb is { } kb)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{kb / 1000.0:0.0} MB"));
        }

        if (result.StdoutTruncated || result.StderrTruncated)
        {
            parts.Add("output truncated");
        }

        if (!string.IsNullOrEmpty(result.Message))
        {
            parts.Add(result.Message);
        }

        return string.Join(" · ", parts);
    }

    private static int SignalNumber(string signal) => signal.ToUpperInvariant().Replace("SIG", "", StringComparison.Ordinal) switch
    {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ILL" => 4,
        "TRAP" => 5,
        "ABRT" => 6,
        "BUS" => 7,
        "FPE" => 8,
        "KILL" => 9,
        "USR1" => 10,
        "SEGV" => 11,
        "USR2" => 12,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        "XCPU" => 24,
        "XFSZ" => 25,
        var other => int.TryParse(other, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 128 ? n : 0,
    };

    private static byte[] Decode(string? base64) => string.IsNullOrEmpty(base64) ? [] : Convert.FromBase64String(base64);

    private static async Task<string> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, Encoding.UTF8, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read '{file.FullName}': {ex.Message}");
        }
    }

    /// <summary>Writes bytes exactly to the stream when there is one; through the writer as UTF-8 otherwise (tests).</summary>
    private static async Task WriteBytesAsync(TextWriter writer, Stream? stream, byte[] bytes, CancellationToken cancellationToken)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        await writer.FlushAsync(cancellationToken);
        if (stream is null)
        {
            await writer.WriteAsync(Encoding.UTF8.GetString(bytes));
            await writer.FlushAsync(cancellationToken);
            return;
        }

        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
