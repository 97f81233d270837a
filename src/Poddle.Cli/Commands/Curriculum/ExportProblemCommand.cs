using System.CommandLine;
using System.Text;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle problems export ID [-o FILE]`: a problem file (YAML, hidden tests included), for its author and admins.</summary>
internal sealed class ExportProblemCommand : CliCommand
{
    private readonly Argument<string> _id = new("id") { Description = "The problem's id" };
    private readonly Option<FileInfo?> _output = new("--output", "-o") { Description = "Write the problem file here instead of to standard output" };

    public ExportProblemCommand(CliEnvironment environment, GlobalOptions globals)
        : base("export", "Export a problem you wrote as a problem file (YAML, hidden tests included) to share it; see docs/curriculum.md", environment, globals)
    {
        Arguments.Add(_id);
        Options.Add(_output);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var client = context.Authenticated();
        var problemId = parse.GetRequiredValue(_id);
        var yaml = await ProblemsCommand.ForProblemAsync(
            problemId,
            () => client.ExportProblemAsync(problemId, cancellationToken),
            $"There is no problem '{problemId}' that you can export: only its author and admins can. Run `poddle problems ls` to see the problems.");
        if (parse.GetValue(_output) is not { } file)
        {
            await context.Environment.Out.WriteAsync(yaml);
            await context.Environment.Out.FlushAsync(cancellationToken);
            return ExitCode.Ok;
        }

        var path = CurriculumFiles.ResolvePath(context.Environment, file);
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
    }
}
