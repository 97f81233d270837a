using System.CommandLine;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Executions;

/// <summary>`poddle runtimes`: the languages the server runs.</summary>
internal sealed class RuntimesCommand(CliEnvironment environment, GlobalOptions globals)
    : CliCommand("runtimes", "The languages the server runs", environment, globals)
{
    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var runtimes = await context.Anonymous().GetRuntimesAsync(cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(runtimes, PoddleJsonContext.Default.IReadOnlyListRuntimeResponse);
            return ExitCode.Ok;
        }

        if (runtimes.Count == 0)
        {
            context.Output.Message("The server runs no languages (no sandbox, or no toolchains found; see `poddle doctor` on the server).");
            return ExitCode.Ok;
        }

        var table = CliOutput.Table("LANGUAGE", "VERSION", "ALIASES", "COMPILED");
        foreach (var runtime in runtimes)
        {
            table.AddRow(new Text(runtime.Language), new Text(runtime.Version), new Text(string.Join(", ", runtime.Aliases)), new Text(runtime.Compiled ? "yes" : "no"));
        }

        context.Output.Out.Write(table);
        return ExitCode.Ok;
    }
}
