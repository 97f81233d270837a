using System.CommandLine;
using System.Globalization;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle problems import FILE`: a new problem, or a new version of one the caller wrote.</summary>
internal sealed class ImportProblemCommand : CliCommand
{
    private readonly Argument<FileInfo> _file = new("file") { Description = "A problem file (YAML; see docs/curriculum.md)" };

    public ImportProblemCommand(CliEnvironment environment, GlobalOptions globals)
        : base("import", "Import a problem file (teachers and admins): a new problem, or a new version of one you wrote", environment, globals)
    {
        Arguments.Add(_file);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var path = CurriculumFiles.ResolvePath(context.Environment, parse.GetRequiredValue(_file));
        var text = await CurriculumFiles.ReadTextFileAsync(path, SubmitCommand.MaxFileBytes, "problem file", cancellationToken);
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
    }
}
