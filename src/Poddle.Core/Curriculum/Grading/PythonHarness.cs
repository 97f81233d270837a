using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Poddle.Core.Curriculum.Grading;

/// <summary>
/// The Python program that runs function tests: it imports the student's code as the module <c>solution</c>,
/// evaluates each call in that module's namespace and compares the value with the expected literal (==, and only
/// plain built-in values count, so an object whose __eq__ always says yes cannot pass).
/// </summary>
/// <remarks>
/// Forgery: the harness reads a random token and the cases from stdin (neither is in a file the student code could
/// read), keeps a private duplicate of stdout for its result lines, points file descriptor 1 at /dev/null and captures
/// sys.stdout/sys.stderr while student code runs. A result line is "TOKEN {json}"; prints of the student, even of a
/// line that looks like one, never reach the real stdout. Hidden and public cases run in separate processes, so no
/// public output can carry a hidden case's data. Each call has a CPU-time alarm (ITIMER_PROF) so one endless call is
/// that case's time_limit_exceeded; the run's own limits are the backstop.
/// </remarks>
internal static class PythonHarness
{
    /// <summary>The harness's file name (the entry point).</summary>
    public const string MainFile = "main.py";

    /// <summary>The student's file name; imported as the module "solution".</summary>
    public const string SolutionFile = "solution.py";

    public const string Source = """
        import ast, importlib, io, json, os, signal, sys, time, traceback

        class _CaseTimeout(BaseException):
            pass

        _PLAIN = (int, float, complex, str, bytes, bool, type(None), list, tuple, dict, set, frozenset)

        def _plain(value, depth=0):
            kind = type(value)
            if depth > 100 or kind not in _PLAIN:
                return False
            if kind in (list, tuple, set, frozenset):
                return all(_plain(v, depth + 1) for v in value)
            if kind is dict:
                return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
            return True

        def _tail(text, limit=4000):
            return text if len(text) <= limit else "..." + text[-limit:]

        def _error_text(exc):
            tb = exc.__traceback__
            # Only the student's frames: not the harness's, importlib's or the eval of the call.
            while tb is not None and not tb.tb_frame.f_code.co_filename.endswith("solution.py"):
                tb = tb.tb_next
            return "".join(traceback.format_exception(type(exc), exc, tb))

        def _main():
            token = sys.stdin.readline().strip()
            job = json.loads(sys.stdin.readline())
            sys.stdin = io.StringIO("")
            out = os.fdopen(os.dup(1), "w", encoding="utf-8")
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            write, flush, dumps, clock, setitimer = out.write, out.flush, json.dumps, time.perf_counter, signal.setitimer

            def emit(obj):
                write(token + " " + dumps(obj) + "\n")
                flush()

            cases = []
            for index, call, expected in job["cases"]:
                try:
                    cases.append((index, call, ast.literal_eval(expected), None))
                except Exception as e:
                    cases.append((index, call, None, "expected is not a Python literal: " + repr(e)))
            cpu = job["cpuMs"] / 1000.0

            def on_alarm(signum, frame):
                raise _CaseTimeout()

            signal.signal(signal.SIGPROF, on_alarm)
            sys.dont_write_bytecode = True
            capture = io.StringIO()
            sys.stdout = sys.stderr = capture
            try:
                setitimer(signal.ITIMER_PROF, cpu)
                try:
                    module = importlib.import_module("solution")
                finally:
                    setitimer(signal.ITIMER_PROF, 0)
            except _CaseTimeout:
                emit({"load": "tle"})
                return
            except SyntaxError as e:
                emit({"load": "syntax", "error": _tail(_error_text(e))})
                return
            except BaseException as e:
                emit({"load": "error", "error": _tail(capture.getvalue() + _error_text(e))})
                return
            emit({"load": "ok"})
            env = module.__dict__
            for index, call, expected, problem in cases:
                if problem is not None:
                    emit({"i": index, "status": "internal", "ms": 0, "error": problem})
                    continue
                capture = io.StringIO()
                sys.stdout = sys.stderr = capture
                start = clock()
                try:
                    setitimer(signal.ITIMER_PROF, cpu)
                    try:
                        value = eval(call, env)
                    finally:
                        setitimer(signal.ITIMER_PROF, 0)
                    ms = int((clock() - start) * 1000)
                    if _plain(value):
                        ok = value == expected
                        actual = _tail(repr(value))
                    else:
                        ok = False
                        actual = "<a " + type(value).__name__ + " object: return a plain value (number, text, list ...)>"
                    emit({"i": index, "status": "ok" if ok else "wrong", "ms": ms, "actual": actual, "printed": _tail(capture.getvalue())})
                except _CaseTimeout:
                    emit({"i": index, "status": "tle", "ms": int((clock() - start) * 1000)})
                except MemoryError:
                    emit({"i": index, "status": "mle", "ms": int((clock() - start) * 1000)})
                except BaseException as e:
                    try:
                        error = _tail(capture.getvalue() + _error_text(e))
                    except BaseException:
                        error = "the call raised an exception"
                    emit({"i": index, "status": "error", "ms": int((clock() - start) * 1000), "error": error})

        _main()
        """;

    /// <summary>A fresh token: 32 hex characters from a cryptographic generator.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The harness's stdin: the token, then the job (cases and per-call CPU time) as one JSON line.</summary>
    public static byte[] Stdin(string token, IEnumerable<(int Index, TestCase Case)> cases, int cpuMs)
    {
        var job = new HarnessJob(cpuMs, [.. cases.Select(c => new object[] { c.Index, c.Case.Call!, c.Case.Expected! })]);
        return Encoding.UTF8.GetBytes(token + "\n" + JsonSerializer.Serialize(job, HarnessJson) + "\n");
    }

    /// <summary>The result lines of a run: only lines that start with the token, in order.</summary>
    public static IEnumerable<HarnessLine> Parse(string token, ReadOnlySpan<byte> stdout)
    {
        var lines = new List<HarnessLine>();
        var prefix = token + " ";
        foreach (var line in Encoding.UTF8.GetString(stdout).Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize<HarnessLine>(line.AsSpan(prefix.Length), HarnessJson) is { } parsed)
                {
                    lines.Add(parsed);
                }
            }
            catch (JsonException)
            {
                // Not one of ours (a line cut by a kill): ignored, the case stays pending.
            }
        }

        return lines;
    }

    private static readonly JsonSerializerOptions HarnessJson = new(JsonSerializerDefaults.Web);

    private sealed record HarnessJob(int CpuMs, IReadOnlyList<object[]> Cases);
}

/// <summary>One result line of the harness: a load marker ("ok", "syntax", "error", "tle") or a case ("i" and "status").</summary>
internal sealed record HarnessLine(
    [property: System.Text.Json.Serialization.JsonPropertyName("load")] string? Load,
    [property: System.Text.Json.Serialization.JsonPropertyName("i")] int? I,
    [property: System.Text.Json.Serialization.JsonPropertyName("status")] string? Status,
    [property: System.Text.Json.Serialization.JsonPropertyName("ms")] long? Ms,
    [property: System.Text.Json.Serialization.JsonPropertyName("actual")] string? Actual,
    [property: System.Text.Json.Serialization.JsonPropertyName("printed")] string? Printed,
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string? Error);
