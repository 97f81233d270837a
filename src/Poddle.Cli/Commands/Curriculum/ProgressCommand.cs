using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Configuration;
using Poddle.Cli.Output;
using Spectre.Console;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle progress`: per level and per problem, with the streak and last activity.</summary>
internal sealed class ProgressCommand(CliEnvironment environment, GlobalOptions globals)
    : CliCommand("progress", "Your progress: per level, problems solved and attempted, your streak and last activity", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var summary = await client.GetProgressSummaryAsync(cancellationToken);
        var problems = await client.GetProgressAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(new ProgressView(summary, problems), CliJsonContext.Default.ProgressView);
            return ExitCode.Ok;
        }

        var now = context.Environment.Time.GetUtcNow();
        var levels = CliOutput.Table("AGE", "LEVEL", "TITLE", "SOLVED", "ATTEMPTED", "STREAK", "LAST ACTIVITY");
        foreach (var l in summary.Levels.OrderBy(l => l.AgeGroup, StringComparer.Ordinal).ThenBy(l => l.Level))
        {
            levels.AddRow(
                new Text(l.AgeGroup),
                new Text(l.Level.ToString(CultureInfo.InvariantCulture)),
                new Text(l.Title),
                new Text(string.Create(CultureInfo.InvariantCulture, $"{l.Solved}/{l.Problems}"), l.Solved > 0 && l.Solved == l.Problems ? new Style(Color.Green) : Style.Plain),
                new Text(l.Attempted.ToString(CultureInfo.InvariantCulture)),
                new Text(CurriculumText.Days(l.StreakDays)),
                new Text(CurriculumText.Ago(now, l.LastActivity)));
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
                    new Text(CurriculumText.Percent(p.BestPassRate)),
                    new Text(CurriculumText.Ago(now, p.LastAttemptAt)));
            }

            context.Output.Out.Write(table);
        }

        context.Output.Message(string.Create(
            CultureInfo.InvariantCulture,
            $"Solved {summary.Solved}, attempted {summary.Attempted}; streak {CurriculumText.Days(summary.StreakDays)}; last activity {CurriculumText.Ago(now, summary.LastActivity)}."));
        context.Output.Message(summary.Solved == 0 && summary.Attempted == 0
            ? "Pick a problem with `poddle problems ls`, then `poddle submit --problem ID FILE`."
            : "Keep going: `poddle problems ls` shows what is left.");
        return ExitCode.Ok;
    }
}
