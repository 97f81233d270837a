using System.CommandLine;
using Poddle.Cli.Output;

namespace Poddle.Cli.Commands;

/// <summary>
/// The action of a command not yet converted to a <see cref="CliCommand"/> subclass (temporary, while the commands move
/// over one by one): the same context and error reporting as <see cref="CliCommand"/>.
/// </summary>
internal static class LegacyCommandAction
{
    public static void SetCliAction(this Command command, CliEnvironment environment, GlobalOptions globals, Func<CliContext, ParseResult, CancellationToken, Task<ExitCode>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var context = new CliContext(environment, globals, parse);
            try
            {
                return (int)await body(context, parse, cancellationToken);
            }
#pragma warning disable CA1031 // The CLI's last line of defence: every failure becomes a message and an exit code, never a stack trace.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return (int)ErrorReporter.Report(ex, context.Output, context.ServerOrNull, context.Debug);
            }
        });
}
