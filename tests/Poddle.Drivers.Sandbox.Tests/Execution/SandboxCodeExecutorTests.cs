using System.Text;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Drivers.Sandbox.Languages;

namespace Poddle.Drivers.Sandbox.Tests.Execution;

/// <summary>The executor end to end: real toolchains of this host, real sandboxes, the warm pool.</summary>
[Collection(ExecutorTestGroup.Name)]
public sealed class SandboxCodeExecutorTests(ExecutorFixture fixture)
{
    /// <summary>Per language: a program that prints "hi", its first argument and the first line of stdin.</summary>
    private static readonly Dictionary<string, string> Echo = new()
    {
        ["python"] = "import sys\nprint('hi', sys.argv[1], input())\n",
        ["c"] = "#include <stdio.h>\nint main(int c, char **v) { char b[100]; if (!fgets(b, 100, stdin)) return 2; printf(\"hi %s %s\", v[1], b); return 0; }\n",
        ["cpp"] = "#include <iostream>\n#include <string>\nint main(int c, char **v) { std::string s; std::getline(std::cin, s); std::cout << \"hi \" << v[1] << \" \" << s << std::endl; }\n",
        ["javascript"] = "const line = require('fs').readFileSync(0, 'utf8').split('\\n')[0];\nconsole.log('hi', process.argv[2], line);\n",
        ["java"] = "public class Main { public static void main(String[] a) { System.out.println(\"hi \" + a[0] + \" \" + new java.util.Scanner(System.in).nextLine()); } }\n",
        ["rust"] = "fn main() { let mut s = String::new(); std::io::stdin().read_line(&mut s).unwrap(); println!(\"hi {} {}\", std::env::args().nth(1).unwrap(), s.trim_end()); }\n",
        ["csharp"] = "var line = System.Console.ReadLine();\nSystem.Console.WriteLine($\"hi {args[0]} {line}\");\n",
        ["bash"] = "read -r line\necho \"hi $1 $line\"\n",
    };

    /// <summary>Per compiled language: a program that does not compile, and a fragment of the compiler's message.</summary>
    private static readonly Dictionary<string, (string Code, string Message)> Broken = new()
    {
        ["c"] = ("int main(void) { return undefined_name; }\n", "undefined_name"),
        ["cpp"] = ("int main() { return undefined_name; }\n", "undefined_name"),
        ["java"] = ("public class Main { public static void main(String[] a) { int x = \"s\"; } }\n", "incompatible types"),
        ["rust"] = ("fn main() { let x: i32 = \"s\"; }\n", "mismatched types"),
        ["csharp"] = ("System.Console.WriteLine(undefinedName);\n", "CS0103"),
    };

    public static TheoryData<string> AllLanguages => new(Catalog.All.Select(l => l.Name));

    public static TheoryData<string> CompiledLanguages => new(Catalog.All.Where(l => l.Compiled).Select(l => l.Name));

    private static string Text(byte[]? bytes) => Encoding.UTF8.GetString(bytes ?? []);

    private static CodeExecutionRequest Request(string language, string code, string? stdin = null, string[]? args = null, string? file = null) =>
        new(language, [new CodeFile(file ?? Catalog.All.Single(l => l.Name == language).MainFile, Encoding.UTF8.GetBytes(code))],
            Encoding.UTF8.GetBytes(stdin ?? string.Empty), args);

    /// <summary>
    /// True when the language should be tested: offered, or its toolchain is on the host (then it must be offered, as
    /// root: a rustup toolchain under a 0700 /root included, since the sandbox's mounts are staged by root).
    /// </summary>
    private bool Expect(string language)
    {
        if (fixture.Warm.Runtimes.Any(r => r.Language == language))
        {
            return true;
        }

        var spec = Catalog.All.Single(l => l.Name == language);
        var verdict = fixture.Warm.Languages.Single(l => l.Language == language);
        Assert.False(Environment.IsPrivilegedProcess && spec.Candidates.Any(File.Exists), $"{language}: a toolchain is on this host but the language is not offered: {verdict.Reason}");
        return false;
    }

    [SandboxFact]
    public void Languages_EveryLanguageOfTheCatalog_OfferedAsTheRuntimesSayOrRefusedWithAReason()
    {
        Assert.Equal(Catalog.All.Select(l => l.Name), fixture.Warm.Languages.Select(l => l.Language));
        Assert.Equal(fixture.Warm.Runtimes.Select(r => r.Language).Order(), fixture.Warm.Languages.Where(l => l.Offered).Select(l => l.Language).Order());
        Assert.All(fixture.Warm.Languages.Where(l => !l.Offered), l => Assert.False(string.IsNullOrEmpty(l.Reason)));
        Assert.All(fixture.Warm.Languages.Where(l => l.Offered), l => Assert.NotNull(l.Version));
        var java = fixture.Cold.Languages.Single(l => l.Language == "java");
        Assert.False(java.Offered);
        Assert.Equal("not in Sandbox:Execution:Languages", java.Reason);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task ExecuteAsync_ForkBomb_StopsAtTheDefaultPidsLimitOf50()
    {
        const string ForkUntilRefused = """
            import os, time
            n = 0
            try:
                while n < 500:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    n += 1
            except OSError as e:
                print(n, e.errno, flush=True)
            os._exit(0)
            """;

        var result = await fixture.Warm.ExecuteAsync(Request("python", ForkUntilRefused), CancellationToken.None);

        Assert.True(result.Verdict == ExecutionVerdict.Ok, $"{result.Verdict}: {result.Run?.Message} {Text(result.Run?.Stderr)}");
        var fields = Text(result.Run!.Stdout).Split(' ');
        // 50 tasks: bwrap, its init and the program itself, then the children until fork fails with EAGAIN (11).
        Assert.InRange(int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), 40, 47);
        Assert.Equal("11\n", fields[1]);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task ExecuteAsync_JavaThreads_BeyondTheDefaultPidsLimitWithinTheJvmsOwn()
    {
        if (!Expect("java"))
        {
            return;
        }

        const string EightyThreads = """
            public class Main {
                public static void main(String[] a) throws Exception {
                    int n = 0;
                    for (; n < 80; n++) {
                        Thread t = new Thread(() -> { try { Thread.sleep(60_000); } catch (InterruptedException e) { } });
                        t.setDaemon(true);
                        t.start();
                    }
                    System.out.println(n);
                    System.exit(0);
                }
            }
            """;

        var result = await fixture.Warm.ExecuteAsync(Request("java", EightyThreads), CancellationToken.None);

        Assert.True(result.Verdict == ExecutionVerdict.Ok, $"{result.Verdict}: {result.Run?.Message ?? result.Compile?.Message} {Text(result.Run?.Stderr ?? result.Compile?.Stderr)}");
        Assert.Equal("80\n", Text(result.Run!.Stdout));
    }

    [SandboxTheory]
    [MemberData(nameof(AllLanguages))]
    public async Task ExecuteAsync_EachLanguage_EchoesArgumentAndStdin(string language)
    {
        if (!Expect(language))
        {
            return;
        }

        var result = await fixture.Warm.ExecuteAsync(Request(language, Echo[language], "line one\nline two\n", ["it's an arg"]), CancellationToken.None);

        Assert.True(result.Verdict == ExecutionVerdict.Ok, $"{result.Verdict}: {result.Run?.Message ?? result.Compile?.Message} {Text(result.Run?.Stderr ?? result.Compile?.Stderr)}");
        Assert.Equal("hi it's an arg line one\n", Text(result.Run!.Stdout));
        Assert.Equal(language, result.Language);
        Assert.Equal(fixture.Warm.Runtimes.Single(r => r.Language == language).Version, result.Version);
        Assert.Equal(Catalog.All.Single(l => l.Name == language).Compiled, result.Compile is not null);
        Assert.Empty(result.Compile?.Stdout ?? []);
    }

    [SandboxTheory]
    [MemberData(nameof(CompiledLanguages))]
    public async Task ExecuteAsync_CompileError_CompilerMessageInCompileStep(string language)
    {
        if (!Expect(language))
        {
            return;
        }

        var (code, message) = Broken[language];
        var result = await fixture.Warm.ExecuteAsync(Request(language, code), CancellationToken.None);

        Assert.Equal(ExecutionVerdict.CompileError, result.Verdict);
        Assert.Null(result.Run);
        Assert.NotNull(result.Compile);
        Assert.Equal(ExecutionVerdict.CompileError, result.Compile.Verdict);
        Assert.NotEqual(0, result.Compile.ExitCode);
        Assert.Contains(message, Text(result.Compile.Stderr) + Text(result.Compile.Stdout), StringComparison.Ordinal);
    }

    [SandboxFact]
    public async Task ExecuteAsync_CompiledProgramFails_RuntimeErrorWithExitCode()
    {
        if (!Expect("c"))
        {
            return;
        }

        var result = await fixture.Warm.ExecuteAsync(Request("c", "#include <stdio.h>\nint main(void) { fputs(\"bad\\n\", stderr); return 3; }\n"), CancellationToken.None);

        Assert.Equal(ExecutionVerdict.RuntimeError, result.Verdict);
        Assert.Equal(ExecutionVerdict.Ok, result.Compile!.Verdict);
        Assert.Equal(3, result.Run!.ExitCode);
        Assert.Equal("bad\n", Text(result.Run.Stderr));
    }

    [SandboxFact]
    public async Task ExecuteBatchAsync_CompiledProgram_CompilesOnceAndRunsEachInput()
    {
        if (!Expect("c"))
        {
            return;
        }

        const string code = "#include <stdio.h>\nint main(void) { int a, b; if (scanf(\"%d %d\", &a, &b) != 2) return 4; printf(\"%d\\n\", a + b); return 0; }\n";
        var batch = await fixture.Warm.ExecuteBatchAsync(
            Request("c", code), ["1 2\n"u8.ToArray(), "40 2\n"u8.ToArray(), "oops\n"u8.ToArray()], maxParallelRuns: 2, CancellationToken.None);

        Assert.Equal(ExecutionVerdict.Ok, batch.Compile!.Verdict);
        Assert.Empty(batch.Compile.Stdout);
        Assert.Equal(["3\n", "42\n", ""], batch.Runs.Select(r => Text(r.Stdout)));
        Assert.Equal([ExecutionVerdict.Ok, ExecutionVerdict.Ok, ExecutionVerdict.RuntimeError], batch.Runs.Select(r => r.Verdict));
        Assert.Equal(4, batch.Runs[2].ExitCode);
    }

    [SandboxFact]
    public async Task ExecuteBatchAsync_CompileError_NoRuns()
    {
        if (!Expect("c"))
        {
            return;
        }

        var batch = await fixture.Warm.ExecuteBatchAsync(Request("c", "int main(void) { return x; }\n"), ["1\n"u8.ToArray(), "2\n"u8.ToArray()], 2, CancellationToken.None);

        Assert.True(batch.CompileFailed);
        Assert.Equal(ExecutionVerdict.CompileError, batch.Compile!.Verdict);
        Assert.Empty(batch.Runs);
    }

    [SandboxFact]
    public async Task ExecuteBatchAsync_Interpreted_RunsEachInputWithoutACompileStep()
    {
        var batch = await fixture.Warm.ExecuteBatchAsync(Request("python", "print(input()[::-1])\n", file: "main.py"), ["abc\n"u8.ToArray(), "xy\n"u8.ToArray()], 2, CancellationToken.None);

        Assert.Null(batch.Compile);
        Assert.Equal(["cba\n", "yx\n"], batch.Runs.Select(r => Text(r.Stdout)));
    }

    [SandboxFact]
    public async Task ExecuteAsync_PythonException_RuntimeErrorWithTraceback()
    {
        var result = await fixture.Warm.ExecuteAsync(Request("py", "def f():\n    return 1 / 0\nf()\n", file: "main.py"), CancellationToken.None);

        Assert.Equal(ExecutionVerdict.RuntimeError, result.Verdict);
        Assert.Equal(1, result.Run!.ExitCode);
        Assert.EndsWith("ZeroDivisionError: division by zero\n", Text(result.Run.Stderr), StringComparison.Ordinal);
        Assert.DoesNotContain("<string>", Text(result.Run.Stderr), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string[]> PythonPrograms => new()
    {
        { "traceback", "import sys\nprint('before')\ndef f(x):\n    return {}[x]\ntry:\n    f('k')\nexcept KeyError:\n    raise ValueError('boom')\n", [] },
        { "exit 3", "import sys\nprint('out')\nsys.exit(3)\n", [] },
        { "exit message", "import sys\nsys.exit('bye')\n", [] },
        { "input", "a = input()\nb = input()\nprint(a[::-1], b.upper())\nimport sys\nprint(repr(sys.stdin.read()))\n", [] },
        { "argv", "import sys\nprint(sys.argv, sys.path[0], __file__)\n", ["one", "", "three 3", "é"] },
        { "main", "print(__name__ == '__main__', __name__)\nimport __main__\nprint(__main__.__file__, globals() is vars(__main__))\n", [] },
        { "syntax error", "print('never'\n", [] },
        { "unicode stderr", "import sys\nsys.stderr.write('é\\n')\nraise SystemExit(0)\n", [] },
    };

    [SandboxTheory]
    [MemberData(nameof(PythonPrograms))]
    public async Task ExecuteAsync_PythonWarm_SameAsCold(string name, string code, string[] args)
    {
        var request = Request("python", code, "first\nsecond\nrest", args);
        var cold = await fixture.Cold.ExecuteAsync(request, CancellationToken.None);
        var before = await ExecutorFixture.WaitReadyAsync(fixture.Warm, "python");

        var warm = await fixture.Warm.ExecuteAsync(request, CancellationToken.None);

        var after = fixture.Warm.GetPoolStats().Single(s => s.Language == "python");
        Assert.Equal(before.Hits + 1, after.Hits);
        Assert.True(cold.Run!.Verdict is ExecutionVerdict.Ok or ExecutionVerdict.RuntimeError, name + ": " + cold.Run.Message);
        Assert.Equal(Text(cold.Run.Stdout), Text(warm.Run!.Stdout));
        Assert.Equal(Text(cold.Run.Stderr), Text(warm.Run.Stderr));
        Assert.Equal(cold.Run.ExitCode, warm.Run.ExitCode);
        Assert.Equal(cold.Run.Verdict, warm.Run.Verdict);
    }

    public static TheoryData<string, string, string[]> JavaScriptPrograms => new()
    {
        { "argv and main", "console.log(process.argv.slice(1), require.main === module, __filename, process.execArgv);\n", ["one", "", "é"] },
        { "stdin", "console.log(JSON.stringify(require('fs').readFileSync(0, 'utf8')));\n", [] },
        { "exit 3", "console.log('out');\nprocess.exit(3);\n", [] },
        { "throw", "function f() { throw new Error('boom'); }\nf();\n", [] },
        { "syntax error", "let x = ;\n", [] },
    };

    /// <summary>Warm node runs the file as the main module; only node's own bottom stack frames differ.</summary>
    [SandboxTheory]
    [MemberData(nameof(JavaScriptPrograms))]
    public async Task ExecuteAsync_JavaScriptWarm_SameAsColdButNodeFrames(string name, string code, string[] args)
    {
        if (!Expect("javascript"))
        {
            return;
        }

        var request = Request("javascript", code, "first\nsecond", args);
        var cold = await fixture.Cold.ExecuteAsync(request, CancellationToken.None);
        var before = await ExecutorFixture.WaitReadyAsync(fixture.Warm, "javascript");

        var warm = await fixture.Warm.ExecuteAsync(request, CancellationToken.None);

        Assert.Equal(before.Hits + 1, fixture.Warm.GetPoolStats().Single(s => s.Language == "javascript").Hits);
        static string WithoutNodeFrames(byte[] stderr) => string.Join('\n', Text(stderr).Split('\n').Where(l =>
            !(l.StartsWith("    at ", StringComparison.Ordinal) && (l.Contains("node:internal", StringComparison.Ordinal) || l.Contains("[eval]", StringComparison.Ordinal)))));
        Assert.Equal(Text(cold.Run!.Stdout), Text(warm.Run!.Stdout));
        Assert.Equal(WithoutNodeFrames(cold.Run.Stderr), WithoutNodeFrames(warm.Run.Stderr));
        Assert.Equal(cold.Run.ExitCode, warm.Run.ExitCode);
        Assert.Equal(cold.Run.Verdict, warm.Run.Verdict);
        Assert.True(name != "throw" || Text(warm.Run.Stderr).Contains("Error: boom", StringComparison.Ordinal));
    }

    [SandboxFact]
    public async Task ExecuteAsync_PythonWarmEntryInSubdirectory_SameAsCold()
    {
        var request = new CodeExecutionRequest(
            "python",
            [new CodeFile("src/app.py", "import sys, helper\nprint(sys.argv[0], sys.path[0], __file__, helper.X)\n"u8.ToArray()), new CodeFile("src/helper.py", "X = 42\n"u8.ToArray())]);
        var cold = await fixture.Cold.ExecuteAsync(request, CancellationToken.None);
        var before = await ExecutorFixture.WaitReadyAsync(fixture.Warm, "python");

        var warm = await fixture.Warm.ExecuteAsync(request, CancellationToken.None);

        Assert.Equal(before.Hits + 1, fixture.Warm.GetPoolStats().Single(s => s.Language == "python").Hits);
        Assert.Equal("src/app.py /box/src /box/src/app.py 42\n", Text(cold.Run!.Stdout));
        Assert.Equal(Text(cold.Run.Stdout), Text(warm.Run!.Stdout));
        Assert.Equal(Text(cold.Run.Stderr), Text(warm.Run.Stderr));
    }

    [SandboxFact]
    public async Task ExecuteAsync_WarmPool_HitCountedAndRefilled()
    {
        var before = await ExecutorFixture.WaitReadyAsync(fixture.Warm, "bash");

        var result = await fixture.Warm.ExecuteAsync(Request("bash", "echo \"$0 $#\"\n", args: ["a"]), CancellationToken.None);

        Assert.Equal(ExecutionVerdict.Ok, result.Verdict);
        Assert.Equal("main.sh 1\n", Text(result.Run!.Stdout));
        var after = fixture.Warm.GetPoolStats().Single(s => s.Language == "bash");
        Assert.Equal(before.Hits + 1, after.Hits);
        Assert.Equal(before.Misses, after.Misses);
        var refilled = await ExecutorFixture.WaitReadyAsync(fixture.Warm, "bash");
        Assert.InRange(refilled.Ready, 1, refilled.Target);
    }

    [SandboxTheory]
    [InlineData("python", "import os\nprint(os.path.exists('/tmp/mark'))\nopen('/tmp/mark', 'w').write('x')\n")]
    [InlineData("bash", "[ -e /tmp/mark ] && echo True || echo False\necho x > /tmp/mark\n")]
    [InlineData("javascript", "const fs = require('fs');\nconsole.log(fs.existsSync('/tmp/mark') ? 'True' : 'False');\nfs.writeFileSync('/tmp/mark', 'x');\n")]
    public async Task ExecuteAsync_WarmSandbox_UsedOnce(string language, string code)
    {
        var outputs = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var before = await ExecutorFixture.WaitReadyAsync(fixture.Warm, language);
            var result = await fixture.Warm.ExecuteAsync(Request(language, code), CancellationToken.None);
            Assert.Equal(before.Hits + 1, fixture.Warm.GetPoolStats().Single(s => s.Language == language).Hits);
            outputs.Add(Text(result.Run!.Stdout));
        }

        Assert.Equal(["False\n", "False\n"], outputs);
    }

    [SandboxFact]
    public async Task ExecuteAsync_UnknownLanguageOrReservedName_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Warm.ExecuteAsync(Request("cobol", "x", file: "main.cob"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Warm.ExecuteAsync(Request("python", "x", file: ".poddle-run"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Warm.ExecuteAsync(Request("python", "x", file: "../x.py"), CancellationToken.None));
    }

    [SandboxFact]
    public async Task ExecuteAsync_MultipleFiles_ImportsSibling()
    {
        var request = new CodeExecutionRequest(
            "python",
            [new CodeFile("main.py", "import helper\nprint(helper.twice(21))\n"u8.ToArray()), new CodeFile("helper.py", "def twice(x):\n    return 2 * x\n"u8.ToArray())]);

        var result = await fixture.Warm.ExecuteAsync(request, CancellationToken.None);

        Assert.Equal("42\n", Text(result.Run!.Stdout));
    }

    [SandboxFact]
    public async Task ExecuteAsync_PythonWarm_CpuLimitAndMemoryLimitApplyAtHandOut()
    {
        await ExecutorFixture.WaitReadyAsync(fixture.Warm, "python");
        var loop = await fixture.Warm.ExecuteAsync(
            Request("python", "while True: pass\n") with { RunLimits = new ExecutionLimits(300, 5_000, 128) }, CancellationToken.None);
        await ExecutorFixture.WaitReadyAsync(fixture.Warm, "python");
        var hog = await fixture.Warm.ExecuteAsync(
            Request("python", "x = bytearray(200 * 1024 * 1024)\nprint(len(x))\n") with { RunLimits = new ExecutionLimits(2_000, 5_000, 64) }, CancellationToken.None);

        Assert.Equal(ExecutionVerdict.TimeLimitExceeded, loop.Verdict);
        Assert.InRange(loop.Run!.CpuMs, 300, 2_000);
        Assert.True(hog.Verdict is ExecutionVerdict.MemoryLimitExceeded or ExecutionVerdict.RuntimeError, hog.Verdict.ToWireName());
        Assert.DoesNotContain("209715200", Text(hog.Run!.Stdout), StringComparison.Ordinal);
    }

    [SandboxTheory]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(300)]
    public async Task ExecuteAsync_PythonWarm_AnyMemoryLimitUsesThePool(int memoryMb)
    {
        var before = await ExecutorFixture.WaitReadyAsync(fixture.Warm, "python");

        var result = await fixture.Warm.ExecuteAsync(
            Request("python", "x = bytearray(40 * 1024 * 1024)\nprint(len(x))\n") with { RunLimits = new ExecutionLimits(2_000, 5_000, memoryMb) },
            CancellationToken.None);

        var after = fixture.Warm.GetPoolStats().Single(s => s.Language == "python");
        Assert.Equal(ExecutionVerdict.Ok, result.Verdict);
        Assert.Equal((before.Hits + 1, before.Misses), (after.Hits, after.Misses));
    }

    [Fact]
    public void Options_Invalid_ValidateSaysWhy()
    {
        var options = new SandboxExecutionOptions { RunCpuMs = 0, RunMemoryMb = 4_096 };
        options.WarmPool.MaxConcurrentPreparations = 0;

        var problems = options.Validate();

        Assert.Contains(problems, p => p.Contains(nameof(SandboxExecutionOptions.RunCpuMs), StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(nameof(SandboxExecutionOptions.MaxRunMemoryMb), StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(nameof(WarmPoolOptions.MaxConcurrentPreparations), StringComparison.Ordinal));
        Assert.Empty(new SandboxExecutionOptions().Validate());
        Assert.Throws<ArgumentException>(() => new SandboxCodeExecutor(options));
    }

    [Theory]
    [InlineData("Python 3.11.2", "3.11.2")]
    [InlineData("v20.20.2\n", "20.20.2")]
    [InlineData("javac 17.0.15", "17.0.15")]
    [InlineData("GNU bash, version 5.2.15(1)-release", "5.2.15")]
    [InlineData("rustc 1.95.0 (59807616e 2026-04-14)", "1.95.0")]
    [InlineData("go1.22", "1.22.0")]
    [InlineData("no version here", null)]
    [InlineData("version 12.2", "12.2.0")]
    public void ParseVersion_Banners(string banner, string? expected) => Assert.Equal(expected, HostCommand.ParseVersion(banner));
}
