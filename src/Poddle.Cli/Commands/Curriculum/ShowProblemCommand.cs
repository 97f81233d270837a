using System.CommandLine;
using System.Globalization;
using Poddle.Cli.Configuration;
using Spectre.Console;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle problems show ID`: the statement, the starter code and the public tests.</summary>
internal sealed class ShowProblemCommand : CliCommand
{
    private readonly Argument<string> _id = new("id") { Description = "The problem's id (see `poddle problems ls`)" };

    public ShowProblemCommand(CliEnvironment environment, GlobalOptions globals)
        : base("show", "Show a problem: its statement, starter code and public tests", environment, globals)
    {
        Arguments.Add(_id);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var problemId = parse.GetRequiredValue(_id);
        var problem = await ProblemsCommand.ForProblemAsync(problemId, () => client.GetProblemAsync(problemId, cancellationToken));
        var tests = await ProblemsCommand.ForProblemAsync(problemId, () => client.GetProblemTestsAsync(problemId, includeHidden: false, cancellationToken));
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
            o.WriteLine(CurriculumText.DescribeTest(test));
        }

        o.WriteLine();
        var file = problem.Language == "python" ? "solution.py" : "FILE";
        o.WriteLine($"Write your solution in a file (start from the starter code), then run `poddle submit --problem {problem.Id} {file}`.");
        return ExitCode.Ok;
    }
}
