namespace Poddle.Drivers.Abstractions.Execution;

/// <summary>
/// Runs one program of untrusted code (compile if the language needs it, then run) and says what happened. The
/// seam between the execution service (Core) and a driver that can isolate code (the sandbox driver today).
/// Implementations are thread-safe and run many programs at once.
/// </summary>
public interface ICodeExecutor
{
    /// <summary>The languages this host can run, discovered at start.</summary>
    IReadOnlyList<LanguageRuntime> Runtimes { get; }

    /// <summary>
    /// Completes once <see cref="Runtimes"/> is known (the languages are discovered); until then the executor would
    /// refuse every language. The job queue hands it no execution before (a restart's backlog waits, never fails).
    /// Never completes when discovery failed. An executor that knows its languages from the start returns a completed task.
    /// </summary>
    Task Ready => Task.CompletedTask;

    /// <summary>What isolation runs get on this host, and why not more.</summary>
    ExecutorHealth Health { get; }

    /// <summary>Compiles (when the language needs it) and runs. Never throws for anything the program does: a host failure is an internal_error result.</summary>
    Task<CodeExecutionResult> ExecuteAsync(CodeExecutionRequest request, CancellationToken cancellationToken);

    /// <summary>The warm pool per language: ready sandboxes, target size, hand-outs and misses since start.</summary>
    IReadOnlyList<WarmPoolStats> GetPoolStats();

    /// <summary>
    /// Compiles once (when the language needs it) and runs the program once per entry of <paramref name="stdins"/>,
    /// each run in a fresh sandbox with <see cref="CodeExecutionRequest.RunLimits"/> (the request's own stdin is
    /// ignored). Grading uses it so N test cases cost one compile, not N. When compiling fails there are no runs.
    /// This default compiles for every run; executors that can keep an artifact override it.
    /// </summary>
    /// <param name="request">The program and its limits.</param>
    /// <param name="stdins">Standard input of each run, in order.</param>
    /// <param name="maxParallelRuns">Runs of this batch at once (at least 1).</param>
    /// <param name="cancellationToken">Stops the batch.</param>
    async Task<CodeBatchResult> ExecuteBatchAsync(
        CodeExecutionRequest request, IReadOnlyList<ReadOnlyMemory<byte>> stdins, int maxParallelRuns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stdins);
        var results = new CodeExecutionResult[stdins.Count];
        await Parallel.ForAsync(
            0,
            stdins.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelRuns), CancellationToken = cancellationToken },
            async (i, token) => results[i] = await ExecuteAsync(request with { Stdin = stdins[i] }, token));
        var failedCompile = results.FirstOrDefault(r => r.Compile is { Verdict: not ExecutionVerdict.Ok });
        return failedCompile is not null
            ? new CodeBatchResult(failedCompile.Language, failedCompile.Version, failedCompile.Compile, [])
            : new CodeBatchResult(
                results.FirstOrDefault()?.Language ?? request.Language,
                results.FirstOrDefault()?.Version ?? "",
                results.FirstOrDefault()?.Compile,
                [.. results.Select(r => r.Run ?? new StepResult(ExecutionVerdict.InternalError, null, null, 0, 0, 0, [], [], false, false, "the program did not run"))]);
    }
}

/// <summary>The outcome of <see cref="ICodeExecutor.ExecuteBatchAsync"/>: one compile step (null for interpreted languages) and one run per input.</summary>
/// <param name="Language">Canonical name.</param>
/// <param name="Version">The toolchain's version.</param>
/// <param name="Compile">The compile step; null for interpreted languages.</param>
/// <param name="Runs">One run per input, in order; empty when compiling failed.</param>
public sealed record CodeBatchResult(string Language, string Version, StepResult? Compile, IReadOnlyList<StepResult> Runs)
{
    /// <summary>True when a compile step ran and failed (internal errors of the compiler's sandbox included).</summary>
    public bool CompileFailed => Compile is { Verdict: not ExecutionVerdict.Ok };
}

/// <summary>A language the executor can run. <paramref name="Language"/> is the canonical name (python, c, cpp, javascript, java, csharp, rust, bash).</summary>
/// <param name="Language">Canonical name.</param>
/// <param name="Version">The toolchain's version as it reports it, normalised to major.minor.patch where possible.</param>
/// <param name="Aliases">Other names clients use (py, python3, js, node, c++ ...).</param>
/// <param name="Compiled">True when a compile step runs first (its failure is compile_error).</param>
/// <param name="MainFile">The file name the code is written to when the request gives none (main.py, Main.java ...).</param>
/// <param name="Toolchain">The program that compiles or runs it (e.g. /usr/bin/python3), for doctor output.</param>
public sealed record LanguageRuntime(
    string Language,
    string Version,
    IReadOnlyList<string> Aliases,
    bool Compiled,
    string MainFile,
    string Toolchain);

/// <summary>One execution. The first file is the entry point.</summary>
/// <param name="Language">Canonical name or alias.</param>
/// <param name="Files">Source files; at least one. Names are relative paths ('/'-separated, no '..').</param>
/// <param name="Stdin">Bytes on standard input, then end of file.</param>
/// <param name="Args">Command-line arguments of the program.</param>
/// <param name="RunLimits">Limits of the run step; the executor's defaults when null.</param>
/// <param name="CompileLimits">Limits of the compile step; the executor's defaults when null.</param>
public sealed record CodeExecutionRequest(
    string Language,
    IReadOnlyList<CodeFile> Files,
    ReadOnlyMemory<byte> Stdin = default,
    IReadOnlyList<string>? Args = null,
    ExecutionLimits? RunLimits = null,
    ExecutionLimits? CompileLimits = null);

/// <summary>A source file of a request.</summary>
public sealed record CodeFile(string Name, ReadOnlyMemory<byte> Content);

/// <summary>The limits a client may choose (within the server's maximums); everything else is server policy.</summary>
public sealed record ExecutionLimits(int CpuMs, int WallMs, int MemoryMb);

/// <summary>The outcome: the compile step (null for interpreted languages) and the run step (null when compiling failed).</summary>
public sealed record CodeExecutionResult(string Language, string Version, StepResult? Compile, StepResult? Run)
{
    /// <summary>compile_error when compiling failed, else the run's verdict (internal_error when neither ran).</summary>
    public ExecutionVerdict Verdict => Compile is { Verdict: not ExecutionVerdict.Ok } compile
        ? (compile.Verdict == ExecutionVerdict.InternalError ? ExecutionVerdict.InternalError : ExecutionVerdict.CompileError)
        : Run?.Verdict ?? ExecutionVerdict.InternalError;
}

/// <summary>What one step (compile or run) did. Output is raw bytes, kept up to the cap.</summary>
public sealed record StepResult(
    ExecutionVerdict Verdict,
    int? ExitCode,
    string? Signal,
    long CpuMs,
    long WallMs,
    long MemoryKb,
    byte[] Stdout,
    byte[] Stderr,
    bool StdoutTruncated,
    bool StderrTruncated,
    string? Message = null);

/// <summary>The verdict of a step or an execution; <see cref="ExecutionVerdictNames.ToWireName"/> gives the API's snake_case name.</summary>
public enum ExecutionVerdict
{
    Ok,
    CompileError,
    RuntimeError,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    InternalError,
}

public static class ExecutionVerdictNames
{
    public static string ToWireName(this ExecutionVerdict verdict) => verdict switch
    {
        ExecutionVerdict.Ok => "ok",
        ExecutionVerdict.CompileError => "compile_error",
        ExecutionVerdict.RuntimeError => "runtime_error",
        ExecutionVerdict.TimeLimitExceeded => "time_limit_exceeded",
        ExecutionVerdict.MemoryLimitExceeded => "memory_limit_exceeded",
        ExecutionVerdict.OutputLimitExceeded => "output_limit_exceeded",
        ExecutionVerdict.InternalError => "internal_error",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };

    public static bool TryParse(string name, out ExecutionVerdict verdict)
    {
        foreach (var candidate in Enum.GetValues<ExecutionVerdict>())
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.Ordinal))
            {
                verdict = candidate;
                return true;
            }
        }

        verdict = default;
        return false;
    }
}

/// <summary>How well the executor isolates code on this host.</summary>
/// <param name="Level">full | reduced | unavailable.</param>
/// <param name="Detail">Human-readable: what is enforced, and why not more ("reduced isolation: no writable cgroups ...").</param>
public sealed record ExecutorHealth(IsolationStatus Level, string Detail);

public enum IsolationStatus
{
    /// <summary>Namespaces, unprivileged uid, cgroups (memory, CPU, pids) and rlimits.</summary>
    Full,

    /// <summary>Runs, but with rlimits only: no cgroup limits or accounting.</summary>
    Reduced,

    /// <summary>Nothing can run.</summary>
    Unavailable,
}

/// <summary>The warm pool of one language.</summary>
/// <param name="Language">Canonical language name.</param>
/// <param name="Ready">Sandboxes prepared and waiting.</param>
/// <param name="Target">The size the pool refills to now (it adapts to demand).</param>
/// <param name="Hits">Runs that got a prepared sandbox since start.</param>
/// <param name="Misses">Runs that fell back to a cold start since start.</param>
public sealed record WarmPoolStats(string Language, int Ready, int Target, long Hits, long Misses)
{
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}
