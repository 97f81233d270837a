using System.Diagnostics;
using System.Text;

namespace Poddle.Drivers.Sandbox.Tests;

/// <summary>Real bubblewrap, real cgroups, /usr/bin/python3. Small limits keep the class at a few seconds per test.</summary>
[Collection(RealSandbox.Name)]
public sealed class SandboxRunnerTests
{
    private static readonly SandboxLimits Small = new() { CpuMs = 1_000, WallMs = 3_000, MemoryMb = 64 };

    private readonly SandboxRunner _runner = new(SandboxChecks.Options());

    private Task<SandboxResult> PythonAsync(string code, SandboxLimits? limits = null, byte[]? stdin = null) =>
        _runner.RunAsync(
            new SandboxRequest(
                ["python3", "main.py"],
                [new SandboxFile("main.py", Encoding.UTF8.GetBytes(code))],
                stdin ?? default(ReadOnlyMemory<byte>),
                limits ?? Small),
            CancellationToken.None);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static void AssertNothingLeft(SandboxResult result) => SandboxChecks.AssertNothingLeft(result);

    [SandboxFact]
    public async Task RunAsync_HelloWorld_OkWithExactBytes()
    {
        var result = await PythonAsync("print('hello, world')");

        Assert.Equal(SandboxVerdict.Ok, result.Verdict);
        Assert.Equal("hello, world\n"u8.ToArray(), result.Stdout);
        Assert.Empty(result.Stderr);
        Assert.Equal(0, result.ExitCode);
        Assert.Null(result.Signal);
        Assert.False(result.StdoutTruncated);
        AssertNothingLeft(result);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task RunAsync_HelloWorld_MeasuresFromCgroupWithFullIsolation()
    {
        var result = await PythonAsync("print('x')");

        Assert.Equal(IsolationLevel.Full, result.Isolation.Level);
        Assert.InRange(result.CpuMs, 1, 1_000);
        Assert.InRange(result.MemoryKb, 100, 64 * 1024);
        Assert.InRange(result.WallMs, 1, 3_000);
    }

    [SandboxFact]
    public async Task RunAsync_Stdin_IsPassedThrough()
    {
        var result = await PythonAsync("import sys; data = sys.stdin.buffer.read(); sys.stdout.buffer.write(data[::-1])", stdin: "abc\n"u8.ToArray());

        Assert.Equal(SandboxVerdict.Ok, result.Verdict);
        Assert.Equal("\ncba"u8.ToArray(), result.Stdout);
    }

    [SandboxFact]
    public async Task RunAsync_NonZeroExit_RuntimeErrorWithExitCode()
    {
        var result = await PythonAsync("import sys; print('oops', file=sys.stderr); sys.exit(3)");

        Assert.Equal(SandboxVerdict.RuntimeError, result.Verdict);
        Assert.Equal(3, result.ExitCode);
        Assert.Null(result.Signal);
        Assert.Equal("oops\n", Text(result.Stderr));
    }

    [SandboxFact]
    public async Task RunAsync_CompileStepFails_CompileError()
    {
        var result = await _runner.RunAsync(
            new SandboxRequest(["python3", "-m", "py_compile", "main.py"], [new SandboxFile("main.py", "def (:"u8.ToArray())], Limits: Small, Step: SandboxStep.Compile),
            CancellationToken.None);

        Assert.Equal(SandboxVerdict.CompileError, result.Verdict);
        Assert.Contains("SyntaxError", Text(result.Stderr), StringComparison.Ordinal);
    }

    [SandboxFact]
    public async Task RunAsync_Segfault_RuntimeErrorWithSignalName()
    {
        var result = await PythonAsync("import ctypes; ctypes.string_at(0)");

        Assert.Equal(SandboxVerdict.RuntimeError, result.Verdict);
        Assert.Equal("SIGSEGV", result.Signal);
        Assert.Null(result.ExitCode);
    }

    [SandboxFact]
    public async Task RunAsync_Abort_SignalSigabrt()
    {
        var result = await PythonAsync("import os; os.abort()");

        Assert.Equal(SandboxVerdict.RuntimeError, result.Verdict);
        Assert.Equal("SIGABRT", result.Signal);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task RunAsync_InfiniteLoop_TimeLimitExceededWithCpuNearLimit()
    {
        var limits = Small with { CpuMs = 500, WallMs = 5_000 };
        var result = await PythonAsync("while True: pass", limits);

        Assert.Equal(SandboxVerdict.TimeLimitExceeded, result.Verdict);
        Assert.Equal("SIGKILL", result.Signal);
        Assert.InRange(result.CpuMs, 500, 700);
        // 0.5 of a core: 500 ms of CPU take about a second of wall time.
        Assert.InRange(result.WallMs, 800, 3_000);
        AssertNothingLeft(result);
    }

    [SandboxFact]
    public async Task RunAsync_SleepForever_TimeLimitExceededByWall()
    {
        var result = await PythonAsync("import time; time.sleep(1000)", Small with { WallMs = 700 });

        Assert.Equal(SandboxVerdict.TimeLimitExceeded, result.Verdict);
        Assert.InRange(result.WallMs, 700, 2_000);
        Assert.True(result.CpuMs < 500);
        AssertNothingLeft(result);
    }

    [SandboxFact]
    public async Task RunAsync_OutputBeforeTimeout_IsKept()
    {
        var result = await PythonAsync("print('before'); import time; time.sleep(1000)", Small with { WallMs = 700 });

        Assert.Equal(SandboxVerdict.TimeLimitExceeded, result.Verdict);
        Assert.Equal("before\n", Text(result.Stdout));
    }

    [SandboxFact(needsCgroups: true)]
    public async Task RunAsync_MemoryBomb_MemoryLimitExceeded()
    {
        var result = await PythonAsync("s = b'x' * (200 << 20); print(len(s))", Small with { MemoryMb = 64 });

        Assert.Equal(SandboxVerdict.MemoryLimitExceeded, result.Verdict);
        Assert.Equal("SIGKILL", result.Signal);
        Assert.InRange(result.MemoryKb, 50 * 1024, 64 * 1024);
        AssertNothingLeft(result);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task RunAsync_ForkBomb_ContainedAndNothingSurvives()
    {
        const string Code = """
            import os, time
            failed = 0
            for _ in range(500):
                try:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                except OSError:
                    failed += 1
            print("fork failures", failed > 0, flush=True)
            time.sleep(60)
            """;
        var result = await PythonAsync(Code, Small with { WallMs = 1_500 });

        Assert.Equal(SandboxVerdict.TimeLimitExceeded, result.Verdict);
        Assert.Equal("fork failures True\n", Text(result.Stdout));
        AssertNothingLeft(result);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task RunAsync_CpuBurningChildren_CpuCountedAcrossChildren()
    {
        // The parent only waits; four children burn. The CPU limit trips on the children's time.
        const string Code = """
            import os
            for _ in range(4):
                if os.fork() == 0:
                    while True: pass
            os.wait()
            """;
        var result = await PythonAsync(Code, Small with { CpuMs = 600, WallMs = 5_000 });

        Assert.Equal(SandboxVerdict.TimeLimitExceeded, result.Verdict);

        // The limit is checked by polling the cgroup, so a loaded host overshoots it a little (921 ms seen at load 25).
        Assert.InRange(result.CpuMs, 600, 1500);
        AssertNothingLeft(result);
    }

    [SandboxFact]
    public async Task RunAsync_RunawayStdout_OutputLimitExceededWithExactlyTheCap()
    {
        var result = await PythonAsync("import sys\nwhile True: sys.stdout.buffer.write(b'y' * 1000)", Small with { OutputBytes = 10_000 });

        Assert.Equal(SandboxVerdict.OutputLimitExceeded, result.Verdict);
        Assert.True(result.StdoutTruncated);
        Assert.False(result.StderrTruncated);
        Assert.Equal(10_000, result.Stdout.Length);
        Assert.All(result.Stdout, b => Assert.Equal((byte)'y', b));
        AssertNothingLeft(result);
    }

    [SandboxFact]
    public async Task RunAsync_InvalidUtf8AndNulBytes_Preserved()
    {
        var result = await PythonAsync("import sys; sys.stdout.buffer.write(b'\\xff\\xfe\\x00abc\\x00\\xc3'); sys.stderr.buffer.write(b'\\x80\\x00')");

        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00, (byte)'a', (byte)'b', (byte)'c', 0x00, 0xc3 }, result.Stdout);
        Assert.Equal(new byte[] { 0x80, 0x00 }, result.Stderr);
    }

    [SandboxFact]
    public async Task RunAsync_NetworkConnection_Fails()
    {
        const string Code = """
            import socket
            try:
                socket.create_connection(("1.1.1.1", 53), timeout=1)
                print("connected")
            except OSError as e:
                print("blocked", e.errno)
            print(sorted(n for _, n in socket.if_nameindex()))
            """;
        var result = await PythonAsync(Code);

        Assert.Equal(SandboxVerdict.Ok, result.Verdict);
        Assert.StartsWith("blocked", Text(result.Stdout), StringComparison.Ordinal);
        Assert.Contains("['lo']", Text(result.Stdout), StringComparison.Ordinal);
    }

    [SandboxFact]
    public async Task RunAsync_ReadShadowAndRoot_Fails()
    {
        const string Code = """
            import os
            for path in ["/etc/shadow", "/etc/passwd", "/root/.bashrc"]:
                try:
                    open(path).read()
                    print(path, "readable")
                except OSError as e:
                    print(path, "denied")
            print("uid", os.getuid(), os.getgid())
            print("env", sorted(os.environ))
            """;
        var result = await PythonAsync(Code);

        var output = Text(result.Stdout);
        Assert.Equal(SandboxVerdict.Ok, result.Verdict);
        Assert.DoesNotContain("readable", output, StringComparison.Ordinal);
        Assert.Contains("uid 64534 64534", output, StringComparison.Ordinal);
        Assert.Contains("env ['HOME', 'LANG', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED', 'TMPDIR']", output, StringComparison.Ordinal);
    }

    [SandboxFact]
    public async Task RunAsync_WriteOutsideTmp_Fails()
    {
        const string Code = """
            for path in ["/box/x", "/x", "/usr/x", "/etc/x", "/tmp/x", "/dev/shm/x"]:
                try:
                    open(path, "w").write("x")
                    print(path, "written")
                except OSError as e:
                    print(path, "denied")
            """;
        var result = await PythonAsync(Code);

        Assert.Equal(
            "/box/x denied\n/x denied\n/usr/x denied\n/etc/x denied\n/tmp/x written\n/dev/shm/x written\n",
            Text(result.Stdout));
    }

    [SandboxFact]
    public async Task RunAsync_FilesInTmp_DoNotPersistIntoNextRun()
    {
        await PythonAsync("open('/tmp/left-behind', 'w').write('x')");

        var result = await PythonAsync("import os; print(os.listdir('/tmp'))");

        Assert.Equal("[]\n", Text(result.Stdout));
    }

    [SandboxFact]
    public async Task RunAsync_SetsidChildLeftBehind_IsKilled()
    {
        const string Code = """
            import subprocess
            p = subprocess.Popen(["sleep", "30"], start_new_session=True)
            print(p.pid)
            """;
        var stopwatch = Stopwatch.StartNew();
        var result = await PythonAsync(Code);

        Assert.Equal(SandboxVerdict.Ok, result.Verdict);
        Assert.True(stopwatch.ElapsedMilliseconds < 2_500, $"took {stopwatch.ElapsedMilliseconds} ms");
        AssertNothingLeft(result);
        Assert.DoesNotContain(
            Directory.EnumerateDirectories("/proc").Select(p => Path.Join(p, "cmdline")),
            p => File.Exists(p) && SafeRead(p) == "sleep\030\0");
    }

    [SandboxFact]
    public async Task RunAsync_HugeFileWrite_LimitedByFileSize()
    {
        const string Code = """
            import os
            try:
                with open("/tmp/big", "wb") as f:
                    for _ in range(10):
                        f.write(b"z" * (1 << 20))
                print("wrote all")
            except OSError as e:
                print("stopped", e.errno)
            print(os.path.getsize("/tmp/big"))
            """;
        var result = await PythonAsync(Code, Small with { FileSizeBytes = 1 << 20 });

        var lines = Text(result.Stdout).Split('\n');
        Assert.StartsWith("stopped 27", lines[0], StringComparison.Ordinal); // EFBIG; python ignores SIGXFSZ
        Assert.True(long.Parse(lines[1], System.Globalization.CultureInfo.InvariantCulture) <= 1 << 20);
    }

    [SandboxFact]
    public async Task RunAsync_TmpfsFull_WriteFails()
    {
        const string Code = """
            try:
                with open("/tmp/big", "wb") as f:
                    for _ in range(20):
                        f.write(b"z" * (1 << 20))
                print("wrote all")
            except OSError as e:
                print("stopped", e.errno)
            """;
        var result = await PythonAsync(Code, Small with { TmpfsMb = 4, FileSizeBytes = 100 << 20, MemoryMb = 128 });

        Assert.Equal("stopped 28\n", Text(result.Stdout)); // ENOSPC
    }

    [SandboxFact]
    public async Task RunAsync_SeveralRunsConcurrently_AllCorrect()
    {
        var runs = Enumerable.Range(0, 4).Select(i => PythonAsync($"import time; time.sleep(0.2); print({i} * 7)")).ToArray();

        var results = await Task.WhenAll(runs);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.True(results[i].Verdict == SandboxVerdict.Ok, $"{results[i]} out={Text(results[i].Stdout)} err={Text(results[i].Stderr)}");
            Assert.Equal($"{i * 7}\n", Text(results[i].Stdout));
            AssertNothingLeft(results[i]);
        }
    }

    [SandboxFact]
    public async Task RunAsync_FilesInSubdirectories_PlacedReadOnly()
    {
        var result = await _runner.RunAsync(
            new SandboxRequest(
                ["python3", "main.py"],
                [
                    new SandboxFile("main.py", "from pkg import mod; print(mod.VALUE)"u8.ToArray()),
                    new SandboxFile("pkg/mod.py", "VALUE = 42"u8.ToArray()),
                    new SandboxFile("run.sh", "#!/bin/sh\necho hi\n"u8.ToArray(), Executable: true),
                ],
                Limits: Small),
            CancellationToken.None);

        Assert.Equal(SandboxVerdict.Ok, result.Verdict);
        Assert.Equal("42\n", Text(result.Stdout));
    }

    [SandboxFact]
    public async Task RunAsync_BindSourceMissing_InternalError()
    {
        var request = new SandboxRequest(["true"], ReadOnlyBinds: [new SandboxBindMount("/nonexistent/toolchain", "/opt/tc")], Limits: Small);

        var result = await _runner.RunAsync(request, CancellationToken.None);

        Assert.Equal(SandboxVerdict.InternalError, result.Verdict);
        Assert.Contains("/nonexistent/toolchain", result.Message, StringComparison.Ordinal);
        AssertNothingLeft(result);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task RunAsync_Cancelled_ThrowsAndLeavesNothing()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _runner.RunAsync(new SandboxRequest(["sleep", "30"], Limits: Small), cancellation.Token));

        // Tests of this class run one at a time, so any run-* cgroup or run directory would be this run's.
        Assert.DoesNotContain(Directory.EnumerateDirectories("/sys/fs/cgroup/pids" + SandboxChecks.CgroupParent), d => Path.GetFileName(d).StartsWith("run-", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.EnumerateDirectories(SandboxChecks.WorkRoot), d => Path.GetFileName(d).StartsWith("poddle-run-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_PathEscapingRunDirectory_Throws()
    {
        var request = new SandboxRequest(["true"], [new SandboxFile("../evil", "x"u8.ToArray())]);

        await Assert.ThrowsAsync<ArgumentException>(() => _runner.RunAsync(request, CancellationToken.None));
    }

    [SandboxFact]
    public async Task RunAsync_ReducedIsolation_StillRunsWithRlimits()
    {
        var runner = new SandboxRunner(SandboxChecks.Options(useCgroups: false));

        var ok = await runner.RunAsync(new SandboxRequest(["python3", "-c", "print('hi')"], Limits: Small), CancellationToken.None);
        var loop = await runner.RunAsync(new SandboxRequest(["python3", "-c", "while True: pass"], Limits: Small with { WallMs = 5_000 }), CancellationToken.None);

        Assert.Equal(IsolationLevel.Reduced, runner.Isolation.Level);
        Assert.Contains("rlimits only", runner.Isolation.ToString(), StringComparison.Ordinal);
        Assert.Equal(SandboxVerdict.Ok, ok.Verdict);
        Assert.Equal("hi\n", Text(ok.Stdout));
        Assert.Equal(SandboxVerdict.TimeLimitExceeded, loop.Verdict);
    }

    [SandboxFact(needsCgroups: true)]
    public async Task RunAsync_WorkRootUnderA0700Directory_Runs()
    {
        // The work root inside a private data directory in a private home: the sandbox's uid can enter none of them.
        var home = Directory.CreateTempSubdirectory("poddle-private-home-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Join(home, "data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var options = SandboxChecks.Options();
            options.WorkRoot = Path.Join(home, "data", "runs");
            var runner = new SandboxRunner(options);

            var result = await runner.RunAsync(new SandboxRequest(["python3", "main.py"], [new SandboxFile("main.py", "print(open('main.py').read())"u8.ToArray())], Limits: Small), CancellationToken.None);

            Assert.True(result.Verdict == SandboxVerdict.Ok, $"{result.Verdict}: {result.Message} {Text(result.Stderr)}");
            Assert.Equal("print(open('main.py').read())\n", Text(result.Stdout));
            Assert.Empty(Directory.EnumerateFileSystemEntries(options.WorkRoot));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [SandboxFact(needsCgroups: true)]
    public async Task RunAsync_WorkRootTheSandboxCannotEnter_UnavailableNamingTheKey()
    {
        var workRoot = Directory.CreateTempSubdirectory("poddle-private-work-root-").FullName; // 0700 itself
        try
        {
            var options = SandboxChecks.Options();
            options.WorkRoot = workRoot;
            var runner = new SandboxRunner(options);

            var result = await runner.RunAsync(new SandboxRequest(["true"], Limits: Small), CancellationToken.None);

            Assert.Equal(IsolationLevel.Unavailable, runner.Isolation.Level);
            Assert.Contains("Sandbox:WorkRoot", runner.Isolation.Reason, StringComparison.Ordinal);
            Assert.Equal(SandboxVerdict.InternalError, result.Verdict);
        }
        finally
        {
            Directory.Delete(workRoot, recursive: true);
        }
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
