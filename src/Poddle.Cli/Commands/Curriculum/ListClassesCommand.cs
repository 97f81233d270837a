using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Deployments;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle classes ls`: the classes the caller teaches, or joined.</summary>
internal sealed class ListClassesCommand(CliEnvironment environment, GlobalOptions globals)
    : CliCommand("ls", "List the classes you teach, or the ones you joined", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
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

        var now = context.Environment.Time.GetUtcNow();
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
    }
}
