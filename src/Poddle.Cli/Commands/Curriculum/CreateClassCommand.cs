using System.CommandLine;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Curriculum;

/// <summary>`poddle classes create NAME` (teachers and admins): prints the join code.</summary>
internal sealed class CreateClassCommand : CliCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The class's name, e.g. \"7B Python\"" };

    public CreateClassCommand(CliEnvironment environment, GlobalOptions globals)
        : base("create", "Create a class (teachers and admins); students join it with its code", environment, globals)
    {
        Arguments.Add(_name);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var created = await context.Authenticated().CreateClassAsync(new CreateClassRequest(parse.GetRequiredValue(_name)), cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(created, PoddleJsonContext.Default.ClassResponse);
            return ExitCode.Ok;
        }

        context.Output.Success($"Created class {created.Name} ({created.Id}).");
        context.Output.Message($"Join code: {created.JoinCode}. Students join with `poddle classes join {created.JoinCode}`; follow them with `poddle classes progress {created.Id}`.");
        return ExitCode.Ok;
    }
}
