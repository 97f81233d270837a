using System.CommandLine;
using System.Globalization;
using System.Text;
using Poddle.Cli.Configuration;
using Poddle.Cli.Deployments;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>`poddle problems show ID --json`: the problem and its public tests in one document.</summary>
public sealed record ProblemWithTests(CurriculumProblemResponse Problem, IReadOnlyList<TestCaseResponse> Tests);

/// <summary>`poddle progress --json`: the per-level summary and the per-problem progress in one document.</summary>
public sealed record ProgressView(ProgressSummaryResponse Summary, IReadOnlyList<ProblemProgressResponse> Problems);

/// <summary>
/// The learning platform's commands: `poddle problems ls|show|export|import`, `poddle progress` and
/// `poddle classes create|ls|join|progress` (`poddle submit` is <see cref="SubmitCommand"/>).
/// </summary>
internal static class CurriculumCommands
{
    public static IEnumerable<Command> Create(CliEnvironment environment, GlobalOptions globals) =>
    [
        Problems(environment, globals),
        SubmitCommand.Create(environment, globals),
        Progress(environment, globals),
        Classes(environment, globals),
    ];

    /// <summary>An unknown problem (404) becomes a message that says where the known ones are.</summary>
    internal static async Task<T> ForProblemAsync<T>(string id, Func<Task<T>> call, string? unknownHint = null)
    {
        try
        {
            return await call();
        }
        catch (PoddleApiException ex) when (ex.Status == 404)
        {
            throw new CliException(unknownHint ?? $"There is no problem '{id}'. Run `poddle problems ls` to see the problems and their ids.");
        }
    }

    private static Command Problems(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("problems", "Practice problems: list them, read one, and (teachers) import and export problem files");
        command.Subcommands.Add(ListProblems(environment, globals));
        command.Subcommands.Add(ShowProblem(environment, globals));
        command.Subcommands.Add(ExportProblem(environment, globals));
        command.Subcommands.Add(ImportProblem(environment, globals));
        return command;
    }

    private static Command ListProblems(CliEnvironment environment, GlobalOptions globals)
    {
        var level = new Option<int?>("--level") { Description = "Only this level (1, 2, 3 ...)" };
        var ageGroup = new Option<string?>("--age-group") { Description = "Only this age group: 11-14 or 15-18" };
        var tag = new Option<string?>("--tag") { Description = "Only problems with this tag (loops, strings ...)" };
        var command = new Command("ls", "List the problems: id, title, level, session, tests, and whether you solved them") { level, ageGroup, tag };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var problems = await client.ListProblemsAsync(parse.GetValue(level), parse.GetValue(ageGroup), parse.GetValue(tag), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(problems, PoddleJsonContext.Default.IReadOnlyListProblemSummaryResponse);
                return ExitCode.Ok;
            }

            if (problems.Count == 0)
            {
                context.Output.Message("No problems match. Run `poddle problems ls` without filters to see them all.");
                return ExitCode.Ok;
            }

            var progress = (await client.GetProgressAsync(cancellationToken)).ToDictionary(p => p.ProblemId, StringComparer.Ordinal);
            var table = CliOutput.Table("ID", "TITLE", "AGE", "LEVEL", "SESSION", "TESTS", "STATUS");
            foreach (var p in problems.OrderBy(p => p.AgeGroup, StringComparer.Ordinal).ThenBy(p => p.Level).ThenBy(p => p.SessionId, StringComparer.Ordinal).ThenBy(p => p.Order))
            {
                var status = progress.TryGetValue(p.Id, out var mine) ? mine.Status : string.Empty;
                table.AddRow(
                    new Text(p.Id),
                    new Text(p.Title + (p.Archived ? " (archived)" : string.Empty)),
                    new Text(p.AgeGroup),
                    new Text(p.Level.ToString(CultureInfo.InvariantCulture)),
                    new Text(p.Session),
                    new Text(string.Create(CultureInfo.InvariantCulture, $"{p.PublicTests} public, {p.HiddenTests} hidden")),
                    new Text(status, status == "solved" ? new Style(Color.Green) : Style.Plain));
            }

            context.Output.Out.Write(table);
            context.Output.Message("Read one with `poddle problems show ID`.");
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command ShowProblem(CliEnvironment environment, GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The problem's id (see `poddle problems ls`)" };
        var command = new Command("show", "Show a problem: its statement, starter code and public tests") { id };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var problemId = parse.GetRequiredValue(id);
            var problem = await ForProblemAsync(problemId, () => client.GetProblemAsync(problemId, cancellationToken));
            var tests = await ForProblemAsync(problemId, () => client.GetProblemTestsAsync(problemId, includeHidden: false, cancellationToken));
            if (context.Output.Json)
            {
                context.Output.WriteJson(new ProblemWithTests(problem, tests), CliJsonContext.Default.ProblemWithTests);
                return ExitCode.Ok;
            }

            var o = context.Output.Out;
            o.MarkupLineInterpolated($"[bold]{problem.Title}[/] ({problem.Id}, version {problem.Version}{(problem.Archived ? ", archived" : string.Empty)})");
            var tags = problem.Tags.Count > 0 ? " · " + string.Join(", ", problem.Tags) : string.Empty;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ages {problem.AgeGroup} · level {problem.Level} · {problem.Session} · {problem.Language}{tags}"));
            o.WriteLine();
            o.WriteLine(problem.Statement.TrimEnd());
            o.WriteLine();
            o.MarkupLine("[bold]Starter code[/]");
            o.WriteLine(problem.StarterCode.TrimEnd());
            o.WriteLine();
            o.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]Public tests[/] ({problem.PublicTests}; and {problem.HiddenTests} hidden ones that are not shown)"));
            foreach (var test in tests.Where(t => !t.Hidden))
            {
                o.WriteLine(DescribeTest(test));
            }

            o.WriteLine();
            var file = problem.Language == "python" ? "solution.py" : "FILE";
            o.WriteLine($"Write your solution in a file (start from the starter code), then run `poddle submit --problem {problem.Id} {file}`.");
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command ExportProblem(CliEnvironment environment, GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "The problem's id" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the problem file here instead of to standard output" };
        var command = new Command("export", "Export a problem you wrote as a problem file (YAML, hidden tests included) to share it; see docs/curriculum.md") { id, output };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var problemId = parse.GetRequiredValue(id);
            var yaml = await ForProblemAsync(
                problemId,
                () => client.ExportProblemAsync(problemId, cancellationToken),
                $"There is no problem '{problemId}' that you can export: only its author and admins can. Run `poddle problems ls` to see the problems.");
            if (parse.GetValue(output) is not { } file)
            {
                await environment.Out.WriteAsync(yaml);
                await environment.Out.FlushAsync(cancellationToken);
                return ExitCode.Ok;
            }

            var path = ResolvePath(environment, file);
            try
            {
                await File.WriteAllTextAsync(path, yaml, new UTF8Encoding(false), cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"Cannot write '{path}': {ex.Message}");
            }

            context.Output.Message($"Wrote {problemId} to {path}. Another teacher imports it with `poddle problems import {Path.GetFileName(path)}`.");
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command ImportProblem(CliEnvironment environment, GlobalOptions globals)
    {
        var file = new Argument<FileInfo>("file") { Description = "A problem file (YAML; see docs/curriculum.md)" };
        var command = new Command("import", "Import a problem file (teachers and admins): a new problem, or a new version of one you wrote") { file };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var path = ResolvePath(environment, parse.GetRequiredValue(file));
            var text = await ReadTextFileAsync(path, SubmitCommand.MaxFileBytes, "problem file", cancellationToken);
            var problem = await context.Authenticated().ImportProblemAsync(text, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(problem, PoddleJsonContext.Default.CurriculumProblemResponse);
                return ExitCode.Ok;
            }

            context.Output.Success(string.Create(
                CultureInfo.InvariantCulture,
                $"Imported {problem.Id} (version {problem.Version}): {problem.PublicTests} public and {problem.HiddenTests} hidden tests."));
            context.Output.Message($"Check it with `poddle problems show {problem.Id}`.");
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command Progress(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("progress", "Your progress: per level, problems solved and attempted, your streak and last activity");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
        {
            var client = context.Authenticated();
            var summary = await client.GetProgressSummaryAsync(cancellationToken);
            var problems = await client.GetProgressAsync(cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(new ProgressView(summary, problems), CliJsonContext.Default.ProgressView);
                return ExitCode.Ok;
            }

            var now = environment.Time.GetUtcNow();
            var levels = CliOutput.Table("AGE", "LEVEL", "TITLE", "SOLVED", "ATTEMPTED", "STREAK", "LAST ACTIVITY");
            foreach (var l in summary.Levels.OrderBy(l => l.AgeGroup, StringComparer.Ordinal).ThenBy(l => l.Level))
            {
                levels.AddRow(
                    new Text(l.AgeGroup),
                    new Text(l.Level.ToString(CultureInfo.InvariantCulture)),
                    new Text(l.Title),
                    new Text(string.Create(CultureInfo.InvariantCulture, $"{l.Solved}/{l.Problems}"), l.Solved > 0 && l.Solved == l.Problems ? new Style(Color.Green) : Style.Plain),
                    new Text(l.Attempted.ToString(CultureInfo.InvariantCulture)),
                    new Text(Days(l.StreakDays)),
                    new Text(Ago(now, l.LastActivity)));
            }

            context.Output.Out.Write(levels);
            if (problems.Count > 0)
            {
                var table = CliOutput.Table("PROBLEM", "STATUS", "ATTEMPTS", "BEST", "LAST ATTEMPT");
                foreach (var p in problems.OrderByDescending(p => p.LastAttemptAt))
                {
                    table.AddRow(
                        new Text(p.ProblemId),
                        new Text(p.Status, p.Status == "solved" ? new Style(Color.Green) : Style.Plain),
                        new Text(p.Attempts.ToString(CultureInfo.InvariantCulture)),
                        new Text(Percent(p.BestPassRate)),
                        new Text(Ago(now, p.LastAttemptAt)));
                }

                context.Output.Out.Write(table);
            }

            context.Output.Message(string.Create(
                CultureInfo.InvariantCulture,
                $"Solved {summary.Solved}, attempted {summary.Attempted}; streak {Days(summary.StreakDays)}; last activity {Ago(now, summary.LastActivity)}."));
            context.Output.Message(summary.Solved == 0 && summary.Attempted == 0
                ? "Pick a problem with `poddle problems ls`, then `poddle submit --problem ID FILE`."
                : "Keep going: `poddle problems ls` shows what is left.");
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command Classes(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("classes", "Classes: teachers create them and see their students' progress; students join one by its code");
        command.Subcommands.Add(CreateClass(environment, globals));
        command.Subcommands.Add(ListClasses(environment, globals));
        command.Subcommands.Add(JoinClass(environment, globals));
        command.Subcommands.Add(ClassProgress(environment, globals));
        return command;
    }

    private static Command CreateClass(CliEnvironment environment, GlobalOptions globals)
    {
        var name = new Argument<string>("name") { Description = "The class's name, e.g. \"7B Python\"" };
        var command = new Command("create", "Create a class (teachers and admins); students join it with its code") { name };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var created = await context.Authenticated().CreateClassAsync(new CreateClassRequest(parse.GetRequiredValue(name)), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(created, PoddleJsonContext.Default.ClassResponse);
                return ExitCode.Ok;
            }

            context.Output.Success($"Created class {created.Name} ({created.Id}).");
            context.Output.Message($"Join code: {created.JoinCode}. Students join with `poddle classes join {created.JoinCode}`; follow them with `poddle classes progress {created.Id}`.");
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command ListClasses(CliEnvironment environment, GlobalOptions globals)
    {
        var command = new Command("ls", "List the classes you teach, or the ones you joined");
        command.SetCliAction(environment, globals, async (context, _, cancellationToken) =>
        {
            var classes = await context.Authenticated().ListClassesAsync(cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(classes, PoddleJsonContext.Default.IReadOnlyListClassResponse);
                return ExitCode.Ok;
            }

            if (classes.Count == 0)
            {
                context.Output.Message("No classes. Teachers create one with `poddle classes create NAME`; students join one with `poddle classes join CODE`.");
                return ExitCode.Ok;
            }

            var now = environment.Time.GetUtcNow();
            var table = CliOutput.Table("ID", "NAME", "TEACHER", "STUDENTS", "JOIN CODE", "AGE");
            foreach (var c in classes.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                table.AddRow(
                    new Text(c.Id.ToString()),
                    new Text(c.Name),
                    new Text(c.TeacherUsername),
                    new Text(c.Students.ToString(CultureInfo.InvariantCulture)),
                    new Text(c.JoinCode ?? "-"),
                    new Text(Quantities.Format(now - c.CreatedAt)));
            }

            context.Output.Out.Write(table);
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command JoinClass(CliEnvironment environment, GlobalOptions globals)
    {
        var code = new Argument<string>("code") { Description = "The join code your teacher gave you" };
        var command = new Command("join", "Join a class by its code: its teacher then sees your progress") { code };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            ClassResponse joined;
            try
            {
                joined = await context.Authenticated().JoinClassAsync(new JoinClassRequest(parse.GetRequiredValue(code)), cancellationToken);
            }
            catch (PoddleApiException ex) when (ex.Status == 404)
            {
                throw new CliException($"No class has the code '{parse.GetRequiredValue(code)}'. Check it with your teacher and try again.");
            }

            if (context.Output.Json)
            {
                context.Output.WriteJson(joined, PoddleJsonContext.Default.ClassResponse);
                return ExitCode.Ok;
            }

            context.Output.Success($"Joined {joined.Name} (teacher {joined.TeacherUsername}).");
            context.Output.Message("Your teacher now sees your progress. Start with `poddle problems ls`.");
            return ExitCode.Ok;
        });
        return command;
    }

    private static Command ClassProgress(CliEnvironment environment, GlobalOptions globals)
    {
        var target = new Argument<string>("class") { Description = "The class's id or name (see `poddle classes ls`)" };
        var command = new Command("progress", "Your students' progress in a class you teach: solved, attempted, streak, last activity, solved problems") { target };
        command.SetCliAction(environment, globals, async (context, parse, cancellationToken) =>
        {
            var client = context.Authenticated();
            var text = parse.GetRequiredValue(target);
            var id = Guid.TryParse(text, out var parsed) ? parsed : await ClassIdByNameAsync(client, text, cancellationToken);
            ClassProgressResponse progress;
            try
            {
                progress = await client.GetClassProgressAsync(id, cancellationToken);
            }
            catch (PoddleApiException ex) when (ex.Status == 404)
            {
                throw new CliException($"There is no class '{text}' that you teach. Run `poddle classes ls` to see yours.");
            }

            if (context.Output.Json)
            {
                context.Output.WriteJson(progress, PoddleJsonContext.Default.ClassProgressResponse);
                return ExitCode.Ok;
            }

            if (progress.Students.Count == 0)
            {
                context.Output.Message($"No student has joined {progress.Name} yet. Give them its join code (`poddle classes ls` shows it).");
                return ExitCode.Ok;
            }

            var now = environment.Time.GetUtcNow();
            var table = CliOutput.Table("STUDENT", "NAME", "SOLVED", "ATTEMPTED", "STREAK", "LAST ACTIVITY", "SOLVED PROBLEMS");
            foreach (var s in progress.Students.OrderBy(s => s.Username, StringComparer.Ordinal))
            {
                table.AddRow(
                    new Text(s.Username),
                    new Text(s.DisplayName ?? string.Empty),
                    new Text(s.Solved.ToString(CultureInfo.InvariantCulture)),
                    new Text(s.Attempted.ToString(CultureInfo.InvariantCulture)),
                    new Text(Days(s.StreakDays)),
                    new Text(Ago(now, s.LastActivity)),
                    new Text(string.Join(", ", s.Problems.Where(p => p.Status == "solved").Select(p => p.ProblemId).Order(StringComparer.Ordinal))));
            }

            context.Output.Out.Write(table);
            return ExitCode.Ok;
        });
        return command;
    }

    private static async Task<Guid> ClassIdByNameAsync(PoddleClient client, string name, CancellationToken cancellationToken)
    {
        var matches = (await client.ListClassesAsync(cancellationToken)).Where(c => string.Equals(c.Name, name, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0].Id,
            0 => throw new CliException($"There is no class '{name}' that you teach. Run `poddle classes ls` to see yours."),
            _ => throw new CliException($"Several of your classes are named '{name}'; pass the id (see `poddle classes ls`)."),
        };
    }

    /// <summary>A test as one line: "1. input "3 4\n" → output "7\n"" or "2. add(1, 2) → 3".</summary>
    internal static string DescribeTest(TestCaseResponse test) =>
        test.Kind == "function"
            ? $"  {Number(test.Index)}. {test.Call} → {test.Expected}"
            : $"  {Number(test.Index)}. input {Quote(test.Stdin ?? string.Empty, 200)} → output {Quote(test.ExpectedStdout ?? string.Empty, 200)}";

    /// <summary>People count tests from 1; the API's index counts from 0.</summary>
    internal static string Number(int index) => (index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Text on one line, quoted, with newlines and tabs shown as \n and \t, cut at <paramref name="max"/> characters.</summary>
    internal static string Quote(string text, int max)
    {
        var escaped = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return "\"" + (escaped.Length > max ? escaped[..max] + "…" : escaped) + "\"";
    }

    internal static string Percent(double rate) => string.Create(CultureInfo.InvariantCulture, $"{rate * 100:0.#}%");

    private static string Days(int days) => days == 1 ? "1 day" : string.Create(CultureInfo.InvariantCulture, $"{days} days");

    private static string Ago(DateTimeOffset now, DateTimeOffset? at) => at is { } t ? Quantities.Format(now - t) + " ago" : "never";

    internal static string ResolvePath(CliEnvironment environment, FileInfo file) =>
        Path.IsPathRooted(file.ToString()) ? file.FullName : Path.GetFullPath(Path.Combine(environment.WorkingDirectory, file.ToString()));

    /// <summary>Reads a UTF-8 text file of at most <paramref name="maxBytes"/>, with a message that says what to do when it cannot.</summary>
    internal static async Task<string> ReadTextFileAsync(string path, long maxBytes, string what, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new CliException(Directory.Exists(path)
                ? $"'{path}' is a directory; pass the {what} itself."
                : $"There is no file '{path}'. Check the path (relative paths start from the current directory).");
        }

        if (info.Length > maxBytes)
        {
            throw new CliException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{path}' is {info.Length} bytes; a {what} may be at most {maxBytes} bytes. Is it the right file?"));
        }

        try
        {
            return await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read '{path}': {ex.Message}");
        }
    }
}
