namespace Poddle.Agent.Worker;

/// <summary>
/// How one run of the worker's command for a job ended. <see cref="ExitCode"/> is null when the process did not exit on
/// its own (timed out, stopped, or never started: <see cref="StartError"/>).
/// </summary>
/// <remarks>Stdout: everything it wrote to standard output (UTF-8), unless <see cref="OutputTooLarge"/>.</remarks>
/// <remarks>StderrTail: the last bytes of its standard error, for the error a failed job reports.</remarks>
public sealed record JobOutcome(int? ExitCode, string Stdout, string StderrTail, bool TimedOut, bool Stopped, bool OutputTooLarge, string? StartError);
