using System.Collections.Concurrent;
using System.Text;
using Poddle.Drivers.Abstractions.Execution;

namespace Poddle.Testing;

/// <summary>
/// A code executor for tests: two runtimes (python 3.11.2, aliases py and python3; c 12.2.0, compiled) and a
/// behaviour the test sets. By default python echoes stdin to stdout with verdict ok, and c compiles (a compile
/// error when the code contains "error") and then prints "compiled\n". Every request is recorded.
/// </summary>
public sealed class ScriptedCodeExecutor : ICodeExecutor
{
    public static readonly LanguageRuntime Python = new("python", "3.11.2", ["py", "python3"], false, "main.py", "/usr/bin/python3");

    public static readonly LanguageRuntime C = new("c", "12.2.0", ["gcc"], true, "main.c", "/usr/bin/gcc");

    private readonly ConcurrentQueue<CodeExecutionRequest> _requests = new();

    /// <summary>What an execution does; <see cref="Default"/> unless a test sets it.</summary>
    public Func<CodeExecutionRequest, CodeExecutionResult> Behaviour { get; set; } = Default;

    /// <summary>The requests the executor got, in order.</summary>
    public IReadOnlyCollection<CodeExecutionRequest> Requests => _requests;

    public IReadOnlyList<LanguageRuntime> Runtimes { get; } = [Python, C];

    public ExecutorHealth Health { get; set; } = new(IsolationStatus.Full, "scripted executor for tests");

    public Task<CodeExecutionResult> ExecuteAsync(CodeExecutionRequest request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        return Task.FromResult(Behaviour(request));
    }

    public IReadOnlyList<WarmPoolStats> GetPoolStats() => [new WarmPoolStats("python", 1, 2, 3, 1)];

    /// <summary>The canonical runtime of a name or alias.</summary>
    public LanguageRuntime RuntimeOf(string language) =>
        Runtimes.First(r => string.Equals(r.Language, language, StringComparison.OrdinalIgnoreCase)
            || r.Aliases.Contains(language, StringComparer.OrdinalIgnoreCase));

    /// <summary>A successful step.</summary>
    public static StepResult Ok(string stdout, string stderr = "", long wallMs = 12) =>
        new(ExecutionVerdict.Ok, 0, null, wallMs - 2, wallMs, 9_800, Encoding.UTF8.GetBytes(stdout), Encoding.UTF8.GetBytes(stderr), false, false);

    /// <summary>The default behaviour: python echoes stdin; c fails to compile code containing "error".</summary>
    public static CodeExecutionResult Default(CodeExecutionRequest request)
    {
        if (string.Equals(request.Language, "c", StringComparison.OrdinalIgnoreCase) || string.Equals(request.Language, "gcc", StringComparison.OrdinalIgnoreCase))
        {
            var code = Encoding.UTF8.GetString(request.Files[0].Content.Span);
            if (code.Contains("error", StringComparison.Ordinal))
            {
                var failed = new StepResult(
                    ExecutionVerdict.CompileError, 1, null, 30, 40, 20_000, [],
                    Encoding.UTF8.GetBytes("main.c:1:1: error: expected ';'\n"), false, false);
                return new CodeExecutionResult(C.Language, C.Version, failed, null);
            }

            return new CodeExecutionResult(C.Language, C.Version, Ok("", wallMs: 200), Ok("compiled\n", wallMs: 3));
        }

        return new CodeExecutionResult(Python.Language, Python.Version, null, Ok(Encoding.UTF8.GetString(request.Stdin.Span)));
    }
}
