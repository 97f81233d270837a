namespace Poddle.Testing;

/// <summary>The result of one `poddle` run, in process (the CLI tests' runner) or as a child process (<see cref="PoddleProcess"/>).</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{Stdout}{Environment.NewLine}stderr:{Environment.NewLine}{Stderr}";
}
