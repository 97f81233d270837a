using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Deployments;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>
/// `poddle submit --problem ID FILE`: grades a solution against every case of a problem and prints a per-case table.
/// Exits 0 only when every case passed (<see cref="ExitCode.TestsFailed"/> otherwise, <see cref="ExitCode.Timeout"/>
/// when grading did not finish within --timeout).
/// </summary>
internal sealed class SubmitCommand : CliCommand
{
    /// <summary>
    /// Larger than any server accepts (Execution:MaxCodeBytes is at most 16 MiB): a file past this is surely the wrong
    /// one, and is refused before it is uploaded. The server's own, smaller limit answers 413.
    /// </summary>
    public const long MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>How much of an expected or actual output a failing public case shows.</summary>
    private const int ShownChars = 120;

    private readonly Option<string> _problem = new("--problem", "-p") { Description = "The problem's id (see `poddle problems ls`)", Required = true };
    private readonly Argument<FileInfo> _file = new("file") { Description = "Your solution's source file" };
    private readonly Option<string?> _language = new("--lang") { Description = "The language (default: the problem's)" };
    private readonly Option<string?> _timeout = new("--timeout") { Description = "How long to wait for the grade (default 5m); exit code 4 when it is not done by then" };

    public SubmitCommand(CliEnvironment environment, GlobalOptions globals)
        : base(
            "submit",
            "Grade your solution against all of a problem's tests (public and hidden): a table of the cases, exit code 0 only when all pass (see docs/cli.md)",
            environment,
            globals)
    {
        Options.Add(_problem);
        Arguments.Add(_file);
        Options.Add(_language);
        Options.Add(_timeout);
    }

    /// <summary>Ok when every case passed; <see cref="ExitCode.TestsFailed"/> when one did not; <see cref="ExitCode.Error"/> when the server could not grade.</summary>
    public static ExitCode ExitCodeOf(SubmissionResponse submission) => submission switch
    {
        { Status: SubmissionStatuses.Completed, AllPassed: true } => ExitCode.Ok,
        { Status: SubmissionStatuses.Completed } => ExitCode.TestsFailed,
        _ => ExitCode.Error,
    };

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var problemId = parse.GetRequiredValue(_problem);
        var path = CurriculumFiles.ResolvePath(context.Environment, parse.GetRequiredValue(_file));
        var wait = parse.GetValue(_timeout) is { } t
            ? Quantities.ParseDuration(t) is { } d && d > TimeSpan.Zero ? d : throw CliException.Usage($"--timeout '{t}' is not a duration; use e.g. 90s, 5m.")
            : TimeSpan.FromMinutes(5);
        var code = await CurriculumFiles.ReadTextFileAsync(path, MaxFileBytes, "solution", cancellationToken);
        var client = context.Authenticated();

        SubmissionResponse submission;
        try
        {
            submission = await ProblemsCommand.ForProblemAsync(
                problemId, () => client.SubmitForGradingAsync(new GradeSubmissionRequest(code, problemId, parse.GetValue(_language)), wait: true, cancellationToken));
        }
        catch (PoddleApiException ex) when (ex.Status == 413)
        {
            throw new CliException($"'{path}' is too large for the server: {ex.Detail ?? ex.Title}. Shorten your solution and submit again.");
        }

        submission = await WaitForGradeAsync(context, client, submission, wait, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(submission, PoddleJsonContext.Default.SubmissionResponse);
        }
        else
        {
            WriteResult(context.Output, submission, problemId, Path.GetFileName(path));
        }

        return ExitCodeOf(submission);
    }

    /// <summary>Polls until the submission is graded, saying on stderr (once per change) that it is queued or grading.</summary>
    private static async Task<SubmissionResponse> WaitForGradeAsync(
        CliContext context, PoddleClient client, SubmissionResponse submission, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = context.Environment.Time;
        var deadline = time.GetUtcNow() + timeout;
        string? shown = null;
        while (submission.Status is SubmissionStatuses.Queued or SubmissionStatuses.Grading)
        {
            if (submission.Status != shown)
            {
                shown = submission.Status;
                context.Output.Error.WriteLine(shown == SubmissionStatuses.Queued ? "Queued for grading…" : "Grading…");
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new CliException(
                    $"Not graded within {Quantities.Format(timeout)} (still {submission.Status}). See the result later with the API: GET /api/submissions/{submission.Id}, or submit again with a longer --timeout.",
                    ExitCode.Timeout);
            }

            await Task.Delay(context.Environment.PollInterval, time, cancellationToken);
            submission = await client.GetSubmissionAsync(submission.Id, cancellationToken);
        }

        return submission;
    }

    private static void WriteResult(CliOutput output, SubmissionResponse s, string problemId, string fileName)
    {
        if (s.Status != SubmissionStatuses.Completed)
        {
            output.ErrorMessage($"The server could not grade this submission ({s.Status}): {s.Message ?? "no reason given"}. This is not your code's fault; submit again later.");
            return;
        }

        var cases = s.Cases ?? [];
        var table = CliOutput.Table("#", "TEST", "RESULT", "VERDICT", "TIME");
        foreach (var c in cases.OrderBy(c => c.Index))
        {
            table.AddRow(
                new Text(CurriculumText.Number(c.Index)),
                new Text(c.Hidden ? "hidden" : "public"),
                new Text(c.Passed ? "passed" : "FAILED", new Style(c.Passed ? Color.Green : Color.Red)),
                new Text(c.Verdict),
                new Text(c.TimeMs is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{ms} ms") : "-"));
        }

        output.Out.Write(table);
        foreach (var c in cases.Where(c => !c.Passed && !c.Hidden).OrderBy(c => c.Index))
        {
            output.Out.WriteLine($"Test {CurriculumText.Number(c.Index)} ({c.Verdict}):");
            if (c.Input is not null)
            {
                output.Out.WriteLine("  input:    " + CurriculumText.Quote(c.Input, ShownChars));
            }

            output.Out.WriteLine("  expected: " + CurriculumText.Quote(c.Expected ?? string.Empty, ShownChars));
            output.Out.WriteLine("  got:      " + CurriculumText.Quote(c.Actual ?? string.Empty, ShownChars));
            if (!string.IsNullOrWhiteSpace(c.Error))
            {
                output.Out.WriteLine("  error:    " + LastLine(c.Error));
            }
        }

        if (cases.Any(c => !c.Passed && c.Hidden))
        {
            output.Out.WriteLine("Hidden tests show only their verdict. Think about cases the public tests do not cover (empty input, negative numbers, large values).");
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"passed {s.Passed ?? 0}/{s.Total ?? cases.Count} ({CurriculumText.Percent(s.PassRate ?? 0)})");
        if (s.AllPassed == true)
        {
            output.Success(summary + " — solved!");
            output.Message("See your progress with `poddle progress`; pick the next one with `poddle problems ls`.");
        }
        else
        {
            output.Messages.MarkupLineInterpolated($"[red]{summary}[/]");
            output.Message($"Fix your code and run `poddle submit --problem {problemId} {fileName}` again.");
        }
    }

    /// <summary>The last non-empty line of an error (a traceback's last line says what went wrong).</summary>
    private static string LastLine(string error)
    {
        var line = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;
        return line.Length > ShownChars ? line[..ShownChars] + "…" : line;
    }
}
