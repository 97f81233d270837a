using System.CommandLine;
using Poddle.Cli.Output;

namespace Poddle.Cli;

/// <summary>
/// One `poddle` command, after Aspire's <c>BaseCommand</c>: a sealed subclass declares its arguments and options in its
/// constructor and does its work in <see cref="ExecuteAsync"/>. This base owns the rest: it is the command's action,
/// gives each invocation a <see cref="CliContext"/> (output, config, server, clients) and turns whatever the command
/// throws into one message and a named exit code (<see cref="ErrorReporter"/>), never a stack trace.
/// </summary>
/// <remarks>
/// A command is tested on its own by adding it to <see cref="CliApp.CreateRoot"/> and invoking that with
/// <see cref="CliApp.InvokeAsync"/>: the same parsing, usage errors and global options as the whole program.
/// </remarks>
internal abstract class CliCommand : Command
{
    /// <summary>How long a client command gets to stop after Ctrl+C or SIGTERM.</summary>
    public static readonly TimeSpan DefaultTerminationTimeout = TimeSpan.FromSeconds(2);

    private readonly CliEnvironment _environment;
    private readonly GlobalOptions _globals;

    protected CliCommand(string name, string description, CliEnvironment environment, GlobalOptions globals)
        : base(name, description)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(globals);
        _environment = environment;
        _globals = globals;
        SetAction(InvokeAsync);
    }

    /// <summary>
    /// How long the command gets to stop once SIGINT/SIGTERM cancelled it; null when it handles those signals itself
    /// (`poddle serve` through the host's shutdown, `poddle agent` by forwarding them to its app).
    /// </summary>
    public virtual TimeSpan? TerminationTimeout => DefaultTerminationTimeout;

    /// <summary>
    /// The command's arguments are another program's command line, dashes and all (`poddle agent -- app --flag`): the
    /// "option taken for an argument" usage check skips it, and the command checks what comes before `--` itself.
    /// </summary>
    public virtual bool TakesCommandLine => false;

    /// <summary>The command's work. Expected failures are <see cref="CliException"/>s; their exit code is the process's.</summary>
    protected abstract Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken);

    private async Task<int> InvokeAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = new CliContext(_environment, _globals, parse);
        try
        {
            return (int)await ExecuteAsync(context, parse, cancellationToken);
        }
#pragma warning disable CA1031 // The CLI's last line of defence: every failure becomes a message and an exit code, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (int)ErrorReporter.Report(ex, context.Output, context.ServerOrNull, context.Debug);
        }
    }
}
