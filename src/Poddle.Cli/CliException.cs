namespace Poddle.Cli;

/// <summary>An expected failure of a command: its message is shown as is, the process exits with <see cref="ExitCode"/>.</summary>
public sealed class CliException : Exception
{
    public CliException(string message, ExitCode exitCode = ExitCode.Error)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CliException()
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCode.Error;
    }

    public ExitCode ExitCode { get; } = ExitCode.Error;

    /// <summary>A wrong command line: exit code 2.</summary>
    public static CliException Usage(string message) => new(message, ExitCode.Usage);
}
