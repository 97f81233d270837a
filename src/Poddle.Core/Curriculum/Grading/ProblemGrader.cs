using System.Globalization;
using System.Text;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Core.Curriculum.Grading;

/// <summary>Grading policy.</summary>
public sealed class GraderOptions
{
    /// <summary>Runs of one submission at once (stdin cases run one program each).</summary>
    public int MaxParallelRuns { get; set; } = 2;

    /// <summary>CPU time of one case when the problem sets none.</summary>
    public int DefaultCpuMs { get; set; } = 2_000;

    /// <summary>Memory of a run when the problem sets none.</summary>
    public int DefaultMemoryMb { get; set; } = 128;
}

/// <summary>
/// Grades code against a problem's test cases through an <see cref="ICodeExecutor"/>. Stdin cases run the program once
/// per case (a compiled language is compiled once for all of them); function cases run in a generated harness (<see cref="PythonHarness"/>), public and hidden cases in
/// separate runs. Hidden cases' results carry only passed and verdict (<see cref="CaseResult.ForHidden"/>).
/// </summary>
public sealed class ProblemGrader
{
    private readonly ICodeExecutor _executor;
    private readonly GraderOptions _options;

    /// <summary>Creates a grader on the executor.</summary>
    public ProblemGrader(ICodeExecutor executor, GraderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(executor);
        _executor = executor;
        _options = options ?? new GraderOptions();
    }

    /// <summary>Grades <paramref name="code"/>, in the problem's language, against every case of <paramref name="problem"/>.</summary>
    /// <exception cref="ArgumentException">The code is over <see cref="CurriculumLoader.MaxCodeBytes"/> (the API answers 413 before this), or the executor does not offer the problem's language.</exception>
    public Task<GradingResult> GradeAsync(Problem problem, string code, CancellationToken cancellationToken) =>
        GradeAsync(problem, code, language: null, cancellationToken);

    /// <summary>
    /// Grades <paramref name="code"/> written in <paramref name="language"/> (the problem's language when null) against
    /// every case of <paramref name="problem"/>. Stdin cases may be solved in any language the executor offers; a
    /// compiled language is compiled once for all of them. Function cases need Python.
    /// </summary>
    /// <exception cref="ArgumentException">The code is over <see cref="CurriculumLoader.MaxCodeBytes"/> (the API answers 413 before this), the executor does not offer the language, or the problem has function tests and the language is not Python (see <see cref="CheckLanguage"/>).</exception>
    public Task<GradingResult> GradeAsync(Problem problem, string code, string? language, CancellationToken cancellationToken) =>
        GradeAsync(problem, code, language, onCase: null, cancellationToken);

    /// <summary>
    /// Grades like <see cref="GradeAsync(Problem, string, string?, CancellationToken)"/>, and hands each case's result
    /// to <paramref name="onCase"/> as soon as that case is graded (in the order cases finish, one call at a time), so
    /// a caller can store and show results while the rest still run. Grading waits for each call.
    /// </summary>
    public async Task<GradingResult> GradeAsync(
        Problem problem, string code, string? language, Func<CaseResult, CancellationToken, Task>? onCase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(code);
        if (Encoding.UTF8.GetByteCount(code) > CurriculumLoader.MaxCodeBytes)
        {
            throw new ArgumentException($"the code is over {CurriculumLoader.MaxCodeBytes} bytes", nameof(code));
        }

        if (CheckLanguage(problem, language) is { } problemText)
        {
            throw new ArgumentException(problemText, nameof(language));
        }

        var runtime = FindRuntime(language ?? problem.Language)!;
        using var results = new CaseResults(problem.Tests.Count, onCase);
        var indexed = problem.Tests.Select((t, i) => (Index: i, Case: t)).ToList();
        var stdin = indexed.Where(c => c.Case.Kind == TestKind.Stdin).ToList();
        var calls = indexed.Where(c => c.Case.Kind == TestKind.Function).ToList();

        var work = new List<Task>
        {
            runtime.Compiled
                ? GradeCompiledStdinCasesAsync(problem, runtime, code, stdin, results, cancellationToken)
                : GradeStdinCasesAsync(problem, runtime, code, stdin, results, cancellationToken),
        };
        // Public and hidden calls never share a process: nothing a public case shows can come from a hidden case.
        foreach (var group in calls.GroupBy(c => c.Case.Hidden))
        {
            work.Add(GradeCallsAsync(problem, code, [.. group], results, cancellationToken));
        }

        await Task.WhenAll(work);
        return GradingResult.Of(problem.Id, [.. results.All.Select((r, i) => r ?? Result(problem.Tests[i], i, GradingVerdict.InternalError, 0, null, "not graded"))]);
    }

    /// <summary>
    /// Why <paramref name="problem"/> cannot be graded in <paramref name="language"/> (the problem's own when null), or
    /// null when it can: the executor must offer the language, and function tests call Python.
    /// </summary>
    public string? CheckLanguage(Problem problem, string? language)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var runtime = FindRuntime(language ?? problem.Language);
        if (runtime is null)
        {
            return $"'{language ?? problem.Language}' is not a language this server runs. Available: {string.Join(", ", _executor.Runtimes.Select(r => r.Language))}.";
        }

        return problem.Tests.Any(t => t.Kind == TestKind.Function) && runtime.Language != "python"
            ? $"'{problem.Id}' has function tests, which call Python; submit Python code (or leave the language out)."
            : null;
    }

    private LanguageRuntime? FindRuntime(string language) =>
        _executor.Runtimes.FirstOrDefault(r =>
            string.Equals(r.Language, language, StringComparison.OrdinalIgnoreCase)
            || r.Aliases.Any(a => string.Equals(a, language, StringComparison.OrdinalIgnoreCase)));

    private int CpuMs(Problem problem) => problem.Limits?.CpuMs ?? _options.DefaultCpuMs;

    private int MemoryMb(Problem problem) => problem.Limits?.MemoryMb ?? _options.DefaultMemoryMb;

    private ExecutionLimits StdinLimits(Problem problem)
    {
        var cpu = CpuMs(problem);
        return new ExecutionLimits(cpu, Math.Max(cpu * 3, 3_000), MemoryMb(problem));
    }

    /// <summary>A compiled language: one compile, then one run per case (Judge0's "compile once, run N inputs").</summary>
    private async Task GradeCompiledStdinCasesAsync(
        Problem problem, LanguageRuntime runtime, string code, List<(int Index, TestCase Case)> cases, CaseResults results, CancellationToken cancellationToken)
    {
        if (cases.Count == 0)
        {
            return;
        }

        var request = new CodeExecutionRequest(runtime.Language, [new CodeFile(runtime.MainFile, Encoding.UTF8.GetBytes(code))], RunLimits: StdinLimits(problem));
        var batch = await _executor.ExecuteBatchAsync(request, [.. cases.Select(c => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(c.Case.Stdin ?? string.Empty))], _options.MaxParallelRuns, cancellationToken);
        if (batch.CompileFailed)
        {
            var verdict = batch.Compile!.Verdict == ExecutionVerdict.InternalError ? GradingVerdict.InternalError : GradingVerdict.CompileError;
            var error = ErrorText(batch.Compile);
            foreach (var c in cases)
            {
                await results.SetAsync(Result(c.Case, c.Index, verdict, 0, null, error), cancellationToken);
            }

            return;
        }

        foreach (var (c, run) in cases.Zip(batch.Runs))
        {
            var verdict = run.Verdict == ExecutionVerdict.Ok
                ? OutputComparer.Matches(problem.Comparison, c.Case.ExpectedStdout!, run.Stdout) ? GradingVerdict.Ok : GradingVerdict.WrongAnswer
                : Map(run.Verdict);
            await results.SetAsync(Result(c.Case, c.Index, verdict, run.WallMs, Encoding.UTF8.GetString(run.Stdout), ErrorText(run)), cancellationToken);
        }
    }

    private async Task GradeStdinCasesAsync(
        Problem problem, LanguageRuntime runtime, string code, List<(int Index, TestCase Case)> cases, CaseResults results, CancellationToken cancellationToken)
    {
        if (cases.Count == 0)
        {
            return;
        }

        var limits = StdinLimits(problem);
        var files = new[] { new CodeFile(runtime.Language == "python" ? PythonHarness.MainFile : runtime.MainFile, Encoding.UTF8.GetBytes(code)) };

        async Task RunAsync((int Index, TestCase Case) c, CancellationToken token)
        {
            var request = new CodeExecutionRequest(runtime.Language, files, Encoding.UTF8.GetBytes(c.Case.Stdin ?? string.Empty), RunLimits: limits);
            var result = await _executor.ExecuteAsync(request, token);
            var step = result.Compile is { Verdict: not ExecutionVerdict.Ok } compile ? compile : result.Run;
            var verdict = result.Verdict switch
            {
                ExecutionVerdict.Ok => OutputComparer.Matches(problem.Comparison, c.Case.ExpectedStdout!, result.Run!.Stdout) ? GradingVerdict.Ok : GradingVerdict.WrongAnswer,
                ExecutionVerdict.RuntimeError when IsSyntaxError(result.Run) => GradingVerdict.CompileError,
                var other => Map(other),
            };
            await results.SetAsync(Result(
                c.Case, c.Index, verdict, step?.WallMs ?? 0,
                step is null ? null : Encoding.UTF8.GetString(step.Stdout),
                step is null ? result.Run?.Message : ErrorText(step)), token);
        }

        // The first case alone: code that does not compile fails every case the same way, without N runs.
        await RunAsync(cases[0], cancellationToken);
        if (results[cases[0].Index]!.Verdict == GradingVerdict.CompileError)
        {
            foreach (var c in cases.Skip(1))
            {
                await results.SetAsync(Result(c.Case, c.Index, GradingVerdict.CompileError, 0, null, results[cases[0].Index]!.Error), cancellationToken);
            }

            return;
        }

        await Parallel.ForEachAsync(
            cases.Skip(1),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxParallelRuns), CancellationToken = cancellationToken },
            async (c, token) => await RunAsync(c, token));
    }

    private async Task GradeCallsAsync(Problem problem, string code, List<(int Index, TestCase Case)> cases, CaseResults results, CancellationToken cancellationToken)
    {
        var cpu = CpuMs(problem);
        var pending = cases;
        // Each run either finishes every pending case or stops in one (killed: time, memory, exit); that case gets the
        // run's verdict and the rest run again, so one endless call costs one case, not all. At most one run per case.
        for (var attempt = 0; pending.Count > 0 && attempt <= cases.Count; attempt++)
        {
            var token = PythonHarness.NewToken();
            // CPU: the per-call alarm (ITIMER_PROF) times every call, plus start-up and import; the executor clamps to its maximums.
            var runCpu = cpu * (pending.Count + 1);
            var request = new CodeExecutionRequest(
                problem.Language,
                [new CodeFile(PythonHarness.MainFile, Encoding.UTF8.GetBytes(PythonHarness.Source)), new CodeFile(PythonHarness.SolutionFile, Encoding.UTF8.GetBytes(code))],
                PythonHarness.Stdin(token, pending, cpu),
                RunLimits: new ExecutionLimits(runCpu, Math.Max(runCpu * 3, 3_000), MemoryMb(problem)));
            var result = await _executor.ExecuteAsync(request, cancellationToken);
            var lines = result.Run is null ? [] : PythonHarness.Parse(token, result.Run.Stdout).ToList();
            var load = lines.FirstOrDefault(l => l.Load is not null);
            if (load?.Load != "ok")
            {
                var (verdict, error) = load?.Load switch
                {
                    "syntax" => (GradingVerdict.CompileError, load.Error),
                    "error" => (GradingVerdict.RuntimeError, load.Error),
                    "tle" => (GradingVerdict.TimeLimitExceeded, "loading your code took too long"),
                    _ => (AbnormalVerdict(result), StopText(result)),
                };
                foreach (var c in pending)
                {
                    await results.SetAsync(Result(c.Case, c.Index, verdict, 0, null, error), cancellationToken);
                }

                return;
            }

            var done = new HashSet<int>();
            foreach (var line in lines.Where(l => l.I is not null))
            {
                var c = pending.FirstOrDefault(p => p.Index == line.I);
                if (c.Case is null || !done.Add(c.Index))
                {
                    continue;
                }

                var verdict = line.Status switch
                {
                    "ok" => GradingVerdict.Ok,
                    "wrong" => GradingVerdict.WrongAnswer,
                    "tle" => GradingVerdict.TimeLimitExceeded,
                    "mle" => GradingVerdict.MemoryLimitExceeded,
                    "error" => GradingVerdict.RuntimeError,
                    _ => GradingVerdict.InternalError,
                };
                var error = line.Error ?? (string.IsNullOrEmpty(line.Printed) ? null : "printed:\n" + line.Printed);
                await results.SetAsync(Result(c.Case, c.Index, verdict, line.Ms ?? 0, line.Actual, error), cancellationToken);
            }

            pending = [.. pending.Where(p => !done.Contains(p.Index))];
            if (pending.Count > 0)
            {
                var stuck = pending[0];
                await results.SetAsync(Result(stuck.Case, stuck.Index, AbnormalVerdict(result), result.Run?.WallMs ?? 0, null, StopText(result)), cancellationToken);
                pending.RemoveAt(0);
            }
        }
    }

    /// <summary>The verdict of a case during which the run stopped without a result line.</summary>
    private static GradingVerdict AbnormalVerdict(CodeExecutionResult result) => result.Verdict switch
    {
        ExecutionVerdict.Ok or ExecutionVerdict.RuntimeError => GradingVerdict.RuntimeError,
        var other => Map(other),
    };

    private static string StopText(CodeExecutionResult result)
    {
        var run = result.Run;
        if (run is null)
        {
            return result.Compile?.Message ?? "the program could not run";
        }

        var why = result.Verdict switch
        {
            ExecutionVerdict.TimeLimitExceeded => "took too long",
            ExecutionVerdict.MemoryLimitExceeded => "used too much memory",
            ExecutionVerdict.OutputLimitExceeded => "wrote too much output",
            ExecutionVerdict.InternalError => "could not be run (" + (run.Message ?? "internal error") + ")",
            _ => "stopped (exit code " + (run.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? run.Signal ?? "?") + ")",
        };
        return "the program " + why + " during this case";
    }

    private static GradingVerdict Map(ExecutionVerdict verdict) => verdict switch
    {
        ExecutionVerdict.Ok => GradingVerdict.Ok,
        ExecutionVerdict.CompileError => GradingVerdict.CompileError,
        ExecutionVerdict.RuntimeError => GradingVerdict.RuntimeError,
        ExecutionVerdict.TimeLimitExceeded => GradingVerdict.TimeLimitExceeded,
        ExecutionVerdict.MemoryLimitExceeded => GradingVerdict.MemoryLimitExceeded,
        ExecutionVerdict.OutputLimitExceeded => GradingVerdict.OutputLimitExceeded,
        _ => GradingVerdict.InternalError,
    };

    /// <summary>Python reports code that does not parse as a SyntaxError (or its subclasses) before running anything.</summary>
    private static bool IsSyntaxError(StepResult? run)
    {
        if (run is null || run.Stdout.Length > 0)
        {
            return false;
        }

        var last = Encoding.UTF8.GetString(run.Stderr).TrimEnd().Split('\n')[^1];
        return last.StartsWith("SyntaxError:", StringComparison.Ordinal)
            || last.StartsWith("IndentationError:", StringComparison.Ordinal)
            || last.StartsWith("TabError:", StringComparison.Ordinal);
    }

    private static string? ErrorText(StepResult step)
    {
        var text = step.Message is null ? Encoding.UTF8.GetString(step.Stderr) : step.Message + "\n" + Encoding.UTF8.GetString(step.Stderr);
        return string.IsNullOrWhiteSpace(text) ? null : text.TrimEnd();
    }

    /// <summary>The one place a case's result is made: hidden cases get passed and verdict only.</summary>
    private static CaseResult Result(TestCase test, int index, GradingVerdict verdict, long timeMs, string? actual, string? error) =>
        test.Hidden
            ? CaseResult.ForHidden(index, verdict)
            : CaseResult.ForPublic(
                index,
                verdict,
                timeMs,
                test.Kind == TestKind.Function ? test.Call! : test.Stdin ?? string.Empty,
                test.Kind == TestKind.Function ? test.Expected! : test.ExpectedStdout ?? string.Empty,
                actual,
                error);
}
