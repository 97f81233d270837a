namespace Poddle.Drivers.Sandbox;

/// <summary>The verdict of one run; <see cref="SandboxVerdictNames.ToWireName"/> gives the snake_case name of the API.</summary>
public enum SandboxVerdict
{
    Ok,
    CompileError,
    RuntimeError,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    InternalError,
}

public static class SandboxVerdictNames
{
    public static string ToWireName(this SandboxVerdict verdict) => verdict switch
    {
        SandboxVerdict.Ok => "ok",
        SandboxVerdict.CompileError => "compile_error",
        SandboxVerdict.RuntimeError => "runtime_error",
        SandboxVerdict.TimeLimitExceeded => "time_limit_exceeded",
        SandboxVerdict.MemoryLimitExceeded => "memory_limit_exceeded",
        SandboxVerdict.OutputLimitExceeded => "output_limit_exceeded",
        SandboxVerdict.InternalError => "internal_error",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };
}

/// <summary>What one run did. Output is raw bytes, kept up to the cap even when the run was killed.</summary>
/// <param name="RunId">Names the run's cgroup and directory (for logs and for checking that nothing is left).</param>
/// <param name="Verdict">The outcome.</param>
/// <param name="ExitCode">The exit code, or null when the process died of a signal.</param>
/// <param name="Signal">The name of the signal that ended the process (SIGKILL, SIGSEGV ...), or null.</param>
/// <param name="CpuMs">CPU time of every process of the run (cgroup accounting); 0 under reduced isolation.</param>
/// <param name="WallMs">Wall-clock time from start to exit.</param>
/// <param name="MemoryKb">Peak memory of the run (cgroup accounting); 0 under reduced isolation.</param>
/// <param name="Stdout">Standard output, at most the output limit.</param>
/// <param name="Stderr">Standard error, at most the output limit.</param>
/// <param name="StdoutTruncated">True when the process wrote more than the limit to stdout.</param>
/// <param name="StderrTruncated">True when the process wrote more than the limit to stderr.</param>
/// <param name="Isolation">What the sandbox could enforce for this run.</param>
/// <param name="Message">Why the verdict is what it is, for internal_error and limits; never user output.</param>
public sealed record SandboxResult(
    string RunId,
    SandboxVerdict Verdict,
    int? ExitCode,
    string? Signal,
    long CpuMs,
    long WallMs,
    long MemoryKb,
    byte[] Stdout,
    byte[] Stderr,
    bool StdoutTruncated,
    bool StderrTruncated,
    SandboxIsolation Isolation,
    string? Message = null);
