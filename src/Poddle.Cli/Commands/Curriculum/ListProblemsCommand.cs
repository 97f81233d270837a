using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle problems ls [--level N] [--age-group G] [--tag T]`: the problems, with your status on each.</summary>
internal sealed class ListProblemsCommand : CliCommand
{
    private readonly Option<int?> _level = new("--level") { Description = "Only this level (1, 2, 3 ...)" };
    private readonly Option<string?> _ageGroup = new("--age-group") { Description = "Only this age group: 11-14 or 15-18" };
    private readonly Option<string?> _tag = new("--tag") { Description = "Only problems with this tag (loops, strings ...)" };

    public ListProblemsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("ls", "List the problems: id, title, level, session, tests, and whether you solved them", environment, globals)
    {
        Options.Add(_level);
        Options.Add(_ageGroup);
        Options.Add(_tag);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var problems = await client.ListProblemsAsync(parse.GetValue(_level), parse.GetValue(_ageGroup), parse.GetValue(_tag), cancellationToken);
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
    }
}
