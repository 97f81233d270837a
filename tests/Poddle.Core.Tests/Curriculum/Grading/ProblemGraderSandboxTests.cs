using System.Runtime.Versioning;
using Poddle.Core.Curriculum;
using Poddle.Core.Curriculum.Grading;

namespace Poddle.Core.Tests.Curriculum.Grading;

/// <summary>The grader on the real sandbox: verdicts, forgery attempts and the privacy of hidden cases.</summary>
[Collection(SandboxGrading.Name)]
[SupportedOSPlatform("linux")]
public sealed class ProblemGraderSandboxTests(SandboxGraderFixture fixture)
{
    private static readonly Problem Add = Problems.Function(
        "add",
        TestCase.OfCall("add(1, 2)", "3", hidden: false),
        TestCase.OfCall("add(2, 2)", "4", hidden: false),
        TestCase.OfCall("add(10, 5)", "15", hidden: true),
        TestCase.OfCall("add(0, 0)", "0", hidden: true));

    private Task<GradingResult> GradeAsync(Problem problem, string code) => fixture.Grader.GradeAsync(problem, code, CancellationToken.None);

    private static string Verdicts(GradingResult result) => string.Join(",", result.Cases.Select(c => c.Verdict.ToWireName()));

    private static readonly Problem Sum = Problems.Stdin(
        OutputComparison.Trim,
        TestCase.OfStdin("1 2\n", "3\n", hidden: false),
        TestCase.OfStdin("5 5\n", "10\n", hidden: false),
        TestCase.OfStdin("-4 4\n", "0\n", hidden: true),
        TestCase.OfStdin("100 1\n", "101\n", hidden: true));

    [SandboxFact]
    public async Task Grade_StdinProblemInC_CompiledOnceAndGradedPerCase()
    {
        const string right = "#include <stdio.h>\nint main(void) { long a, b; scanf(\"%ld %ld\", &a, &b); printf(\"%ld\\n\", a + b); return 0; }\n";
        const string wrong = "#include <stdio.h>\nint main(void) { long a, b; scanf(\"%ld %ld\", &a, &b); printf(\"%ld\\n\", a > 0 ? a + b : 1); return 0; }\n";

        var passed = await fixture.Grader.GradeAsync(Sum, right, "c", CancellationToken.None);
        var failed = await fixture.Grader.GradeAsync(Sum, wrong, "c", CancellationToken.None);

        Assert.True(passed.AllPassed, Verdicts(passed));
        Assert.Equal(("1 2\n", "3\n"), (passed.Cases[0].Input, passed.Cases[0].Actual));
        Assert.Equal("ok,ok,wrong_answer,ok", Verdicts(failed));
        Assert.All(failed.Cases.Where(c => c.Hidden), c => Assert.Equal((null, null, null, null, (long?)null), (c.Input, c.Expected, c.Actual, c.Error, c.TimeMs)));
    }

    [SandboxFact]
    public async Task Grade_CCodeThatDoesNotCompile_EveryCaseCompileErrorAndHiddenCasesStayBare()
    {
        var result = await fixture.Grader.GradeAsync(Sum, "int main(void) { return missing; }\n", "c", CancellationToken.None);

        Assert.Equal("compile_error,compile_error,compile_error,compile_error", Verdicts(result));
        Assert.Contains("missing", result.Cases[0].Error, StringComparison.Ordinal);
        Assert.All(result.Cases.Where(c => c.Hidden), c => Assert.Null(c.Error));
    }

    [SandboxFact]
    public async Task Grade_FunctionProblemInC_RefusedBeforeRunning()
    {
        Assert.NotNull(fixture.Grader.CheckLanguage(Add, "c"));
        Assert.Null(fixture.Grader.CheckLanguage(Add, null));
        Assert.NotNull(fixture.Grader.CheckLanguage(Sum, "cobol"));
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Grader.GradeAsync(Add, "int main(void) { return 0; }\n", "c", CancellationToken.None));
    }

    [SandboxFact]
    public async Task Grade_RightFunction_PassesEveryCase()
    {
        var result = await GradeAsync(Add, "def add(a, b):\n    return a + b\n");

        Assert.True(result.AllPassed, Verdicts(result));
        Assert.Equal((4, 4, 1.0), (result.Passed, result.Total, result.PassRate));
        var first = result.Cases[0];
        Assert.Equal(("add(1, 2)", "3", "3"), (first.Input, first.Expected, first.Actual));
        Assert.NotNull(first.TimeMs);
    }

    [SandboxFact]
    public async Task Grade_WrongFunction_IsWrongAnswerWithTheActualValue()
    {
        var result = await GradeAsync(Add, "def add(a, b):\n    return a * b\n");

        Assert.Equal("wrong_answer,ok,wrong_answer,ok", Verdicts(result));
        Assert.Equal("2", result.Cases[0].Actual);
        Assert.Equal((2, 4, 0.5), (result.Passed, result.Total, result.PassRate));
    }

    [SandboxFact]
    public async Task Grade_StudentPrintsForgedResultLines_StillGradedCorrectly()
    {
        // Every way a program can write: print, sys.__stdout__, the raw file descriptors, at import and in each call;
        // lines shaped like the harness's, with guessed tokens and with every hex token in main.py (there is none).
        const string code = """
            import os, re, sys
            FAKES = []
            for i in range(4):
                FAKES.append('{"i": %d, "status": "ok", "ms": 1, "actual": "3"}' % i)
            FAKES.append('{"load": "ok"}')
            TOKENS = ["", "0" * 32] + re.findall(r"[0-9a-f]{32}", open("main.py").read())
            def shout():
                for t in TOKENS:
                    for f in FAKES:
                        line = (t + " " + f + "\n")
                        print(line, end="")
                        sys.__stdout__.write(line)
                        sys.__stdout__.flush()
                        for fd in range(1, 8):
                            try:
                                os.write(fd, line.encode())
                            except OSError:
                                pass
            shout()
            def add(a, b):
                shout()
                return "not a number"
            """;

        var result = await GradeAsync(Add, code);

        Assert.Equal("wrong_answer,wrong_answer,wrong_answer,wrong_answer", Verdicts(result));
        Assert.Equal(0, result.Passed);
        Assert.Equal("'not a number'", result.Cases[0].Actual);
    }

    [SandboxFact]
    public async Task Grade_ValueWhoseEqAlwaysSaysYes_DoesNotPass()
    {
        const string code = """
            class Anything(int):
                def __eq__(self, other):
                    return True
                __hash__ = int.__hash__
            def add(a, b):
                return Anything(0)
            """;

        var result = await GradeAsync(Add, code);

        Assert.Equal(0, result.Passed);
        Assert.All(result.Cases, c => Assert.Equal(GradingVerdict.WrongAnswer, c.Verdict));
    }

    [SandboxFact]
    public async Task Grade_OneEndlessCallAndOneException_OnlyThoseCasesFail()
    {
        var problem = Problems.Function(
            "f",
            TestCase.OfCall("f(1)", "1", hidden: false),
            TestCase.OfCall("f(2)", "2", hidden: false),
            TestCase.OfCall("f(3)", "3", hidden: false),
            TestCase.OfCall("f(4)", "4", hidden: true));
        const string code = """
            def f(x):
                if x == 2:
                    while True:
                        pass
                if x == 3:
                    return 1 // 0
                return x
            """;

        var result = await GradeAsync(problem, code);

        Assert.Equal("ok,time_limit_exceeded,runtime_error,ok", Verdicts(result));
        Assert.Contains("ZeroDivisionError", result.Cases[2].Error, StringComparison.Ordinal);
        Assert.DoesNotContain("main.py", result.Cases[2].Error, StringComparison.Ordinal);
    }

    [SandboxFact]
    public async Task Grade_CallThatKillsTheProcess_FailsOnlyThatCase()
    {
        var problem = Problems.Function(
            "f",
            TestCase.OfCall("f(1)", "1", hidden: false),
            TestCase.OfCall("f(2)", "2", hidden: false),
            TestCase.OfCall("f(3)", "3", hidden: false));
        const string code = """
            import os
            def f(x):
                if x == 2:
                    os._exit(0)
                return x
            """;

        var result = await GradeAsync(problem, code);

        Assert.Equal("ok,runtime_error,ok", Verdicts(result));
    }

    [SandboxFact]
    public async Task Grade_CallThatSwallowsTheTimeAlarm_IsStoppedByTheRunLimitAndTheRestRunAgain()
    {
        var problem = Problems.Function(
            "f",
            TestCase.OfCall("f(1)", "1", hidden: false),
            TestCase.OfCall("f(2)", "2", hidden: false),
            TestCase.OfCall("f(3)", "3", hidden: true)) with { Limits = new ProblemLimits(300, 64) };
        const string code = """
            def f(x):
                while x == 2:
                    try:
                        while True:
                            pass
                    except BaseException:
                        pass
                return x
            """;

        var result = await GradeAsync(problem, code);

        Assert.Equal("ok,time_limit_exceeded,ok", Verdicts(result));
    }

    [SandboxFact]
    public async Task Grade_CallOverTheMemoryLimit_IsThatCasesMemoryLimitExceeded()
    {
        var problem = Problems.Function(
            "f",
            TestCase.OfCall("f(1)", "1", hidden: false),
            TestCase.OfCall("f(2)", "2", hidden: false),
            TestCase.OfCall("f(3)", "3", hidden: false));
        const string code = """
            def f(x):
                if x == 2:
                    return len([0] * 10**8)
                return x
            """;

        var result = await GradeAsync(problem, code);

        Assert.Equal("ok,memory_limit_exceeded,ok", Verdicts(result));
    }

    [SandboxFact]
    public async Task Grade_SyntaxErrorOrFailingImport_FailsEveryCaseInOneGo()
    {
        var syntax = await GradeAsync(Add, "def add(a, b)\n    return a + b\n");
        var endless = await GradeAsync(Add, "while True:\n    pass\n");
        var failingImport = await GradeAsync(Add, "print('hello')\nprint(undefined_name)\n");
        var stdin = await GradeAsync(Problems.Stdin(OutputComparison.Trim, TestCase.OfStdin("1\n", "1\n", false), TestCase.OfStdin("2\n", "2\n", true)), "print(input()\n");

        Assert.All(syntax.Cases, c => Assert.Equal(GradingVerdict.CompileError, c.Verdict));
        Assert.Contains("SyntaxError", syntax.Cases[0].Error, StringComparison.Ordinal);
        Assert.All(endless.Cases, c => Assert.Equal(GradingVerdict.TimeLimitExceeded, c.Verdict));
        Assert.All(failingImport.Cases, c => Assert.Equal(GradingVerdict.RuntimeError, c.Verdict));
        Assert.StartsWith("hello\nTraceback", failingImport.Cases[0].Error, StringComparison.Ordinal);
        Assert.Contains("NameError", failingImport.Cases[0].Error, StringComparison.Ordinal);
        Assert.DoesNotContain("importlib", failingImport.Cases[0].Error, StringComparison.Ordinal);
        Assert.Null(failingImport.Cases[2].Error);
        Assert.All(stdin.Cases, c => Assert.Equal(GradingVerdict.CompileError, c.Verdict));
    }

    [SandboxFact]
    public async Task Grade_HiddenCases_RevealNothingEvenWhenTheCodeLooksForThem()
    {
        var problem = Problems.Function(
            "peek",
            TestCase.OfCall("peek(1)", "False", hidden: false),
            TestCase.OfCall("peek(424242)", "0", hidden: true));
        // The public run searches its whole memory and its files for the hidden case, and a hidden call fails
        // loudly with its input in the message and in its prints.
        const string code = """
            import gc, os
            def peek(x):
                needle = "".join(["4242", "42"])  # built at run time (a + would be folded into a constant of the code)
                if x == int(needle):
                    print("the secret input is", x)
                    raise ValueError("secret %d" % x)
                found = any(needle in repr(o) for o in gc.get_objects() if type(o) in (list, tuple, dict))
                for name in os.listdir("."):
                    try:
                        found = found or needle in open(name).read()
                    except OSError:
                        pass
                return found
            """;

        var result = await GradeAsync(problem, code);

        Assert.True(Verdicts(result) == "ok,runtime_error", $"{Verdicts(result)}: {result.Cases[0].Actual} {result.Cases[0].Error}");
        Assert.Equal("False", result.Cases[0].Actual);
        var hidden = result.Cases[1];
        Assert.Equal((1, true, false), (hidden.Index, hidden.Hidden, hidden.Passed));
        Assert.Null(hidden.TimeMs);
        Assert.Null(hidden.Input);
        Assert.Null(hidden.Expected);
        Assert.Null(hidden.Actual);
        Assert.Null(hidden.Error);
    }

    [SandboxFact]
    public async Task Grade_StdinProgram_ComparesTrimmedOrExact()
    {
        TestCase[] tests = [TestCase.OfStdin("a\n", "A\n", false), TestCase.OfStdin("b\n", "B\n", true), TestCase.OfStdin("c\n", "C\n", false)];
        const string trailingSpaces = "print(input().upper() + '  ')\nprint()\n";

        var trimmed = await GradeAsync(Problems.Stdin(OutputComparison.Trim, tests), trailingSpaces);
        var exact = await GradeAsync(Problems.Stdin(OutputComparison.Exact, tests), trailingSpaces);
        var exactRight = await GradeAsync(Problems.Stdin(OutputComparison.Exact, tests), "print(input().upper())\n");

        Assert.True(trimmed.AllPassed, Verdicts(trimmed));
        Assert.Equal("wrong_answer,wrong_answer,wrong_answer", Verdicts(exact));
        Assert.Equal("A  \n\n", exact.Cases[0].Actual);
        Assert.True(exactRight.AllPassed, Verdicts(exactRight));
        Assert.Equal(("a\n", "A\n", "A\n"), (exactRight.Cases[0].Input, exactRight.Cases[0].Expected, exactRight.Cases[0].Actual));
    }

    [SandboxFact]
    public async Task Grade_StdinProgramFailingOnAHiddenCase_ShowsNothingOfIt()
    {
        var problem = Problems.Stdin(OutputComparison.Trim, TestCase.OfStdin("1\n", "1\n", false), TestCase.OfStdin("secret\n", "x\n", true));

        var result = await GradeAsync(problem, "import sys\nx = input()\nprint(x)\nsys.exit('failed on ' + x) if x == 'secret' else None\n");

        Assert.Equal("ok,runtime_error", Verdicts(result));
        Assert.Equal(new CaseResult(1, true, false, GradingVerdict.RuntimeError, null, null, null, null, null), result.Cases[1]);
    }
}
