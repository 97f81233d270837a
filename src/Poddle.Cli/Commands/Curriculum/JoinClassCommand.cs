using System.CommandLine;
using Poddle.Client;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle classes join CODE`: the class's teacher then sees the caller's progress.</summary>
internal sealed class JoinClassCommand : CliCommand
{
    private readonly Argument<string> _code = new("code") { Description = "The join code your teacher gave you" };

    public JoinClassCommand(CliEnvironment environment, GlobalOptions globals)
        : base("join", "Join a class by its code: its teacher then sees your progress", environment, globals)
    {
        Arguments.Add(_code);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        ClassResponse joined;
        try
        {
            joined = await context.Authenticated().JoinClassAsync(new JoinClassRequest(parse.GetRequiredValue(_code)), cancellationToken);
        }
        catch (PoddleApiException ex) when (ex.Status == 404)
        {
            throw new CliException($"No class has the code '{parse.GetRequiredValue(_code)}'. Check it with your teacher and try again.");
        }

        if (context.Output.Json)
        {
            context.Output.WriteJson(joined, PoddleJsonContext.Default.ClassResponse);
            return ExitCode.Ok;
        }

        context.Output.Success($"Joined {joined.Name} (teacher {joined.TeacherUsername}).");
        context.Output.Message("Your teacher now sees your progress. Start with `poddle problems ls`.");
        return ExitCode.Ok;
    }
}
