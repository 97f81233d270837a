using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Client;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle classes progress CLASS`: the students of a class the caller teaches, one row each.</summary>
internal sealed class ClassProgressCommand : CliCommand
{
    private readonly Argument<string> _class = new("class") { Description = "The class's id or name (see `poddle classes ls`)" };

    public ClassProgressCommand(CliEnvironment environment, GlobalOptions globals)
        : base("progress", "Your students' progress in a class you teach: solved, attempted, streak, last activity, solved problems", environment, globals)
    {
        Arguments.Add(_class);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var text = parse.GetRequiredValue(_class);
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

        var now = context.Environment.Time.GetUtcNow();
        var table = CliOutput.Table("STUDENT", "NAME", "SOLVED", "ATTEMPTED", "STREAK", "LAST ACTIVITY", "SOLVED PROBLEMS");
        foreach (var s in progress.Students.OrderBy(s => s.Username, StringComparer.Ordinal))
        {
            table.AddRow(
                new Text(s.Username),
                new Text(s.DisplayName ?? string.Empty),
                new Text(s.Solved.ToString(CultureInfo.InvariantCulture)),
                new Text(s.Attempted.ToString(CultureInfo.InvariantCulture)),
                new Text(CurriculumText.Days(s.StreakDays)),
                new Text(CurriculumText.Ago(now, s.LastActivity)),
                new Text(string.Join(", ", s.Problems.Where(p => p.Status == "solved").Select(p => p.ProblemId).Order(StringComparer.Ordinal))));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
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
}
