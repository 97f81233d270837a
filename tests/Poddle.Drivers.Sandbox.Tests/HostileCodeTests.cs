using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Poddle.Drivers.Sandbox.Tests.Isolation;
using static Poddle.Drivers.Sandbox.Tests.SandboxChecks;

namespace Poddle.Drivers.Sandbox.Tests;

/// <summary>
/// Programs that attack the sandbox, run concurrently in groups (real bubblewrap, real cgroups, python3 and C
/// programs compiled with the host's gcc). Each must get the right verdict, leave nothing behind, and the host must
/// stay healthy: a plain run started alongside the bombs still completes, promptly and ok. docs/sandbox.md
/// ("Hostile code") lists every attack with what stops it.
/// </summary>
[Collection(RealSandbox.Name)]
public sealed class HostileCodeTests
{
    private const string MemoryBombC = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        int main(void) {
            for (size_t mb = 0;; mb++) {
                char *p = malloc(1 << 20);
                if (!p) { printf("malloc failed after %zu MB\n", mb); return 1; }
                memset(p, 1, 1 << 20);
            }
        }
        """;

    private const string ForkBombC = """
        #include <unistd.h>
        int main(void) { for (;;) fork(); }
        """;

    private const string ThreadBombC = """
        #include <pthread.h>
        #include <stdio.h>
        #include <unistd.h>
        static void *sleeper(void *arg) { (void)arg; pause(); return 0; }
        int main(void) {
            pthread_attr_t attr;
            pthread_attr_init(&attr);
            pthread_attr_setstacksize(&attr, 64 * 1024);
            int n = 0;
            pthread_t t;
            while (n < 100000 && pthread_create(&t, &attr, sleeper, 0) == 0) n++;
            printf("threads %d\n", n);
            fflush(stdout);
            _exit(0);
        }
        """;

    private const string SegfaultC = """
        int main(void) { volatile int *p = 0; *p = 1; return 0; }
        """;

    private const string AbortC = """
        #include <stdlib.h>
        int main(void) { abort(); }
        """;

    private const string IgnoreTermC = """
        #include <signal.h>
        #include <unistd.h>
        int main(void) {
            signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN); signal(SIGHUP, SIG_IGN);
            for (;;) pause();
        }
        """;

    // Writes until the kernel stops it: RLIMIT_FSIZE sends SIGXFSZ, whose default action ends the process.
    private const string FileSizeC = """
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <unistd.h>
        int main(void) {
            static char buf[1 << 16];
            memset(buf, 'z', sizeof buf);
            int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_TRUNC, 0600);
            for (;;) if (write(fd, buf, sizeof buf) < 0) { perror("write"); return 3; }
        }
        """;

    private static readonly SandboxLimits Small = new() { CpuMs = 500, WallMs = 4_000, MemoryMb = 64, OutputBytes = 8_192 };

    private readonly SandboxRunner _runner = new(SandboxChecks.Options());

    [SandboxFact(needsCgroups: true)]
    public async Task Bombs_Concurrently_EachContainedAndHostStaysHealthy()
    {
        const string PythonForkBomb = """
            import os, time
            failed = 0
            for _ in range(300):
                try:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                except OSError:
                    failed += 1
            print("fork failures", failed > 0, flush=True)
            """;
        const string PythonThreadBomb = """
            import threading, time
            n = 0
            try:
                while n < 10000:
                    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
                    n += 1
            except RuntimeError:
                pass
            print("threads", n, flush=True)
            import os; os._exit(0)
            """;
        const string CpuChildren = """
            import os
            for _ in range(4):
                if os.fork() == 0:
                    while True: pass
            os.wait()
            """;
        const string MemoryInChild = """
            import subprocess
            p = subprocess.run(["./membomb"])
            print("child", p.returncode, flush=True)
            """;

        var stopwatch = Stopwatch.StartNew();
        var results = await Task.WhenAll(
            RunC(ForkBombC),
            PythonAsync(PythonForkBomb),
            RunC(MemoryBombC),
            PythonAsync(MemoryInChild, files: [CProgram("membomb", MemoryBombC)]),
            RunC(ThreadBombC),
            PythonAsync(PythonThreadBomb),
            PythonAsync(CpuChildren),
            PythonAsync("while True: pass"),
            PythonAsync("import time; time.sleep(1000)", Small with { WallMs = 1_500 }),
            PythonAsync("print('hello, world')"));
        var (cForkBomb, pyForkBomb, memoryBomb, memoryInChild, cThreads, pyThreads, cpuChildren, loop, sleep, hello) =
            (results[0], results[1], results[2], results[3], results[4], results[5], results[6], results[7], results[8], results[9]);

        // The host stays healthy: a plain run alongside the bombs is ok and not starved.
        AssertVerdict(SandboxVerdict.Ok, hello);
        Assert.Equal("hello, world\n", Text(hello.Stdout));
        Assert.InRange(hello.WallMs, 1, 3_000);

        // Fork bombs hit pids.max (EAGAIN) and then the CPU limit; the sleeping children die with the run.
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, cForkBomb);
        Assert.InRange(cForkBomb.CpuMs, 500, 1_500);
        AssertVerdict(SandboxVerdict.Ok, pyForkBomb);
        Assert.Equal("fork failures True\n", Text(pyForkBomb.Stdout));

        // Touching pages beyond memory.limit: the OOM killer, and the verdict says memory, also when only a child died.
        AssertVerdict(SandboxVerdict.MemoryLimitExceeded, memoryBomb);
        Assert.Equal("SIGKILL", memoryBomb.Signal);
        Assert.InRange(memoryBomb.MemoryKb, 48 * 1024, 64 * 1024);
        AssertVerdict(SandboxVerdict.MemoryLimitExceeded, memoryInChild);
        Assert.Equal("child -9\n", Text(memoryInChild.Stdout));

        // Threads count against pids.max like processes (the cgroup counts tasks).
        AssertVerdict(SandboxVerdict.Ok, cThreads);
        Assert.InRange(ThreadCount(cThreads), 1, Small.Pids - 1);
        AssertVerdict(SandboxVerdict.Ok, pyThreads);
        Assert.InRange(ThreadCount(pyThreads), 1, Small.Pids - 1);

        // CPU over every process of the run; wall time for the sleeper.
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, cpuChildren);
        Assert.InRange(cpuChildren.CpuMs, 500, 1_000);
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, loop);
        Assert.Equal("SIGKILL", loop.Signal);
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, sleep);
        Assert.True(sleep.CpuMs < 300, $"sleeper used {sleep.CpuMs} ms CPU");

        Assert.All(results, AssertNothingLeft);
        AssertNoSandboxProcesses();
        Assert.True(stopwatch.ElapsedMilliseconds < 15_000, $"group took {stopwatch.ElapsedMilliseconds} ms");
    }

    [SandboxFact]
    public async Task Floods_Concurrently_OutputCappedAndFilesLimited()
    {
        const string TmpfsFull = "open('/tmp/big', 'wb').write(b'z' * (8 << 20))";
        const string OpenFiles = """
            import os
            n = 0
            try:
                while True:
                    os.open("/dev/null", os.O_RDONLY)
                    n += 1
            except OSError as e:
                print("opened", n, "errno", e.errno)
            """;
        var tmpfsLimits = Small with { TmpfsMb = 4, FileSizeBytes = 100 << 20, MemoryMb = 128 };

        var results = await Task.WhenAll(
            PythonAsync("import sys\nwhile True: sys.stdout.buffer.write(b'y' * 1000)"),
            PythonAsync("import sys\nwhile True: sys.stderr.buffer.write(b'e' * 1000)"),
            PythonAsync("import sys; sys.stdout.buffer.write(b'L' * (50 << 20))"),
            PythonAsync("import sys\nwhile True:\n    sys.stdout.buffer.write(b'o' * 999)\n    sys.stderr.buffer.write(b'E' * 999)"),
            PythonAsync(TmpfsFull, tmpfsLimits),
            PythonAsync(TmpfsFull.Replace("/tmp/", "/dev/shm/", StringComparison.Ordinal), tmpfsLimits),
            RunC(FileSizeC, Small with { FileSizeBytes = 1 << 20 }),
            PythonAsync(OpenFiles),
            PythonAsync("print('hello, world')"));

        var (stdout, stderr, line, both, tmpFull, shmFull, fileSize, openFiles, hello) =
            (results[0], results[1], results[2], results[3], results[4], results[5], results[6], results[7], results[8]);
        AssertVerdict(SandboxVerdict.Ok, hello);

        AssertVerdict(SandboxVerdict.OutputLimitExceeded, stdout);
        Assert.True(stdout.StdoutTruncated);
        Assert.Equal(Enumerable.Repeat((byte)'y', Small.OutputBytes), stdout.Stdout);

        AssertVerdict(SandboxVerdict.OutputLimitExceeded, stderr);
        Assert.True(stderr.StderrTruncated);
        Assert.False(stderr.StdoutTruncated);
        Assert.Empty(stderr.Stdout);
        Assert.Equal(Enumerable.Repeat((byte)'e', Small.OutputBytes), stderr.Stderr);

        AssertVerdict(SandboxVerdict.OutputLimitExceeded, line);
        Assert.Equal(Enumerable.Repeat((byte)'L', Small.OutputBytes), line.Stdout);

        AssertVerdict(SandboxVerdict.OutputLimitExceeded, both);
        Assert.True(both.StdoutTruncated || both.StderrTruncated);
        Assert.All(both.Stdout, b => Assert.Equal((byte)'o', b));
        Assert.All(both.Stderr, b => Assert.Equal((byte)'E', b));

        // A full tmpfs is the program's error (ENOSPC), not the host's.
        foreach (var full in new[] { tmpFull, shmFull })
        {
            AssertVerdict(SandboxVerdict.RuntimeError, full);
            Assert.Equal(1, full.ExitCode);
            Assert.Contains("No space left on device", Text(full.Stderr), StringComparison.Ordinal);
        }

        AssertVerdict(SandboxVerdict.RuntimeError, fileSize);
        Assert.Equal("SIGXFSZ", fileSize.Signal);

        AssertVerdict(SandboxVerdict.Ok, openFiles);
        var opened = Text(openFiles.Stdout).Split(' ');
        Assert.Equal("24\n", opened[3]); // EMFILE
        Assert.InRange(int.Parse(opened[1], System.Globalization.CultureInfo.InvariantCulture), 1, Small.OpenFiles);

        Assert.All(results, AssertNothingLeft);
        AssertNoSandboxProcesses();
    }

    [SandboxFact]
    public async Task Network_HostAndOutsideUnreachable()
    {
        const string Code = """
            import socket, sys, time
            tcp_port, udp_port, listen_port, abstract = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
            def attempt(name, action):
                try:
                    action()
                    print(name, "ok")
                except OSError as e:
                    print(name, "failed")
            def udp(address):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.sendto(b"hello from the sandbox", address)
            def unix():
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect("\0" + abstract)
            attempt("tcp-host", lambda: socket.create_connection(("127.0.0.1", tcp_port), timeout=1))
            attempt("tcp-external", lambda: socket.create_connection(("1.1.1.1", 80), timeout=1))
            attempt("dns", lambda: socket.getaddrinfo("example.com", 80))
            attempt("udp-external", lambda: udp(("1.1.1.1", 53)))
            udp(("127.0.0.1", udp_port))
            attempt("unix-abstract", unix)
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("0.0.0.0", listen_port))
            listener.listen()
            print("listening", flush=True)
            time.sleep(1.5)
            """;
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var abstractName = "poddle-test-" + Guid.NewGuid().ToString("N");
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        unix.Bind(new UnixDomainSocketEndPoint("\0" + abstractName));
        unix.Listen();
        var listenPort = FreeTcpPort();
        string[] args =
        [
            ((IPEndPoint)tcp.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ((IPEndPoint)udp.Client.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            listenPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            abstractName,
        ];

        var run = PythonAsync(Code, Small, args: args);
        // While the sandbox listens on listen_port in its own network namespace, the host's port stays closed.
        var hostReachedSandbox = 0;
        while (!run.IsCompleted)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, listenPort);
                hostReachedSandbox++;
            }
            catch (SocketException)
            {
                // Refused: expected.
            }

            await Task.Delay(50);
        }

        var result = await run;

        AssertVerdict(SandboxVerdict.Ok, result);
        Assert.Equal(
            "tcp-host failed\ntcp-external failed\ndns failed\nudp-external failed\nunix-abstract failed\nlistening\n",
            Text(result.Stdout));
        Assert.Equal(0, hostReachedSandbox);
        Assert.False(tcp.Pending(), "the sandbox reached the host's TCP listener");
        Assert.Equal(0, udp.Available);
        Assert.False(unix.Poll(0, SelectMode.SelectRead), "the sandbox reached the host's abstract unix socket");
        AssertNothingLeft(result);
    }

    [SandboxFact]
    public async Task HostFilesAndEnvironment_NotVisible()
    {
        var marker = "PODDLE_SECRET_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("PODDLE_TEST_SECRET", marker);
        try
        {
            const string Code = """
                import glob, os, sys
                for path in ["/etc/shadow", "/etc/passwd", "/etc/hosts", "/root", "/root/.bashrc", "/home", "/var", "/sys/fs/cgroup", "/run"]:
                    try:
                        data = repr(os.listdir(path)).encode() if os.path.isdir(path) else open(path, "rb").read()
                        print(path, "readable")
                    except OSError as e:
                        print(path, "denied")
                dump = b""
                for path in ["/proc/1/environ", "/proc/self/environ", "/proc/1/cmdline"] + glob.glob("/proc/*/environ"):
                    try:
                        dump += open(path, "rb").read()
                    except OSError:
                        pass
                sys.stdout.buffer.write(dump + b"\n")
                print(dict(os.environ))
                """;
            var result = await PythonAsync(Code);

            AssertVerdict(SandboxVerdict.Ok, result);
            var output = Text(result.Stdout);
            Assert.StartsWith(
                "/etc/shadow denied\n/etc/passwd denied\n/etc/hosts denied\n/root denied\n/root/.bashrc denied\n/home denied\n/var denied\n/sys/fs/cgroup denied\n/run denied\n",
                output,
                StringComparison.Ordinal);
            Assert.DoesNotContain(marker, output, StringComparison.Ordinal);
            Assert.DoesNotContain(marker, Text(result.Stderr), StringComparison.Ordinal);
            Assert.DoesNotContain("PODDLE_TEST_SECRET", output, StringComparison.Ordinal);
            AssertNothingLeft(result);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PODDLE_TEST_SECRET", null);
        }
    }

    [SandboxFact]
    public async Task TwoSandboxes_CannotSeeEachOther()
    {
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var hider = $$"""
            import time
            for path in ["/tmp/{{secret}}", "/dev/shm/{{secret}}"]:
                open(path, "w").write("{{secret}}")
            print("hidden", flush=True)
            time.sleep(2)
            """;
        var seeker = $$"""
            import os, time
            time.sleep(0.7)
            found = []
            roots = ["/tmp", "/dev/shm", "/box", "/proc"]
            for root in roots:
                for directory, dirs, files in os.walk(root, onerror=lambda e: None):
                    if directory.startswith("/proc/") and directory.count("/") > 3:
                        dirs[:] = [d for d in dirs if d in ("root", "cwd", "fd")]
                    for name in dirs + files:
                        if "{{secret}}" in name:
                            found.append(os.path.join(directory, name))
            pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
            print("found", found)
            print("pids", len(pids))
            print("tmp", os.listdir("/tmp"), os.listdir("/dev/shm"), sorted(os.listdir("/box")))
            """;

        var results = await Task.WhenAll(
            PythonAsync(hider, files: [new SandboxFile(secret + ".txt", "x"u8.ToArray())]),
            PythonAsync(seeker));

        AssertVerdict(SandboxVerdict.Ok, results[0]);
        Assert.Equal("hidden\n", Text(results[0].Stdout));
        AssertVerdict(SandboxVerdict.Ok, results[1]);
        var lines = Text(results[1].Stdout).Split('\n');
        Assert.Equal("found []", lines[0]);
        Assert.InRange(int.Parse(lines[1]["pids ".Length..], System.Globalization.CultureInfo.InvariantCulture), 1, 2); // its init and itself
        Assert.Equal("tmp [] [] ['main.py']", lines[2]);
        Assert.All(results, AssertNothingLeft);
    }

    [SandboxFact]
    public async Task WritesOutsideTmp_FailAndTmpDoesNotPersist()
    {
        const string Writer = """
            import os
            for path in ["/box/x", "/box/main.py", "/x", "/usr/x", "/etc/x", "/lib/x", "/proc/sys/kernel/hostname", "/tmp/x", "/dev/shm/x"]:
                try:
                    with open(path, "w") as f:
                        f.write("x")
                    print(path, "written")
                except OSError as e:
                    print(path, "denied")
            for directory in ["/newdir", "/usr/newdir"]:
                try:
                    os.mkdir(directory)
                    print(directory, "made")
                except OSError:
                    print(directory, "denied")
            """;

        var written = await PythonAsync(Writer);
        var next = await PythonAsync("import os; print(os.listdir('/tmp'), os.listdir('/dev/shm'), os.path.exists('/tmp/x'))");

        AssertVerdict(SandboxVerdict.Ok, written);
        Assert.Equal(
            "/box/x denied\n/box/main.py denied\n/x denied\n/usr/x denied\n/etc/x denied\n/lib/x denied\n/proc/sys/kernel/hostname denied\n" +
            "/tmp/x written\n/dev/shm/x written\n/newdir denied\n/usr/newdir denied\n",
            Text(written.Stdout));
        AssertVerdict(SandboxVerdict.Ok, next);
        Assert.Equal("[] [] False\n", Text(next.Stdout));
        AssertNothingLeft(written);
        AssertNothingLeft(next);
    }

    [SandboxFact]
    public async Task Symlinks_LeadNowhereOnTheHost()
    {
        const string Code = """
            import os
            os.symlink("/etc/shadow", "/tmp/shadow")
            try:
                open("/tmp/shadow").read()
                print("shadow readable")
            except OSError as e:
                print("shadow", e.errno)
            # The host path of the run directory is visible in mountinfo; a link to it resolves inside the sandbox.
            source = [l.split()[3] for l in open("/proc/self/mountinfo") if l.split()[4] == "/box"][0]
            print("run directory", "poddle-run-" in source)
            os.symlink(source, "/tmp/run")
            for path in ["/tmp/run/main.py", source + "/main.py", "/tmp/run/new"]:
                try:
                    open(path, "a").write("x")
                    print(path == source + "/main.py" and "host" or path, "written")
                except OSError as e:
                    print("write", e.errno)
            """;

        var result = await PythonAsync(Code);

        AssertVerdict(SandboxVerdict.Ok, result);
        Assert.Equal("shadow 2\nrun directory True\nwrite 2\nwrite 2\nwrite 2\n", Text(result.Stdout));
        AssertNothingLeft(result);
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("a/../../evil")]
    [InlineData("/etc/evil")]
    [InlineData("a//b")]
    [InlineData("./x")]
    [InlineData("a/..")]
    [InlineData("a\0b")]
    public async Task RequestFile_EscapingThePath_Rejected(string path)
    {
        var request = new SandboxRequest(["true"], [new SandboxFile(path, "x"u8.ToArray())]);

        await Assert.ThrowsAsync<ArgumentException>(() => _runner.RunAsync(request, CancellationToken.None));
    }

    [Fact]
    public async Task RequestFiles_DuplicateOrFileUnderFile_RejectedAsBadRequest()
    {
        var duplicate = new SandboxRequest(["true"], [new SandboxFile("main.py", "a"u8.ToArray()), new SandboxFile("main.py", "b"u8.ToArray())]);
        var underFile = new SandboxRequest(["true"], [new SandboxFile("a", "a"u8.ToArray()), new SandboxFile("a/b", "b"u8.ToArray())]);

        await Assert.ThrowsAsync<ArgumentException>(() => _runner.RunAsync(duplicate, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _runner.RunAsync(underFile, CancellationToken.None));
    }

    [SandboxFact]
    public async Task KillingTheParents_Fails()
    {
        const string Code = """
            import os, signal, time
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL):
                os.kill(1, sig)
            os.kill(os.getppid(), signal.SIGKILL)
            try:
                os.kill(-1, signal.SIGKILL)  # every process it may signal but itself and init: none
            except ProcessLookupError:
                print("kill -1: no other process")
            time.sleep(0.3)
            print("alive, parent", os.getppid())
            names = sorted(open(f"/proc/{p}/comm").read().strip() for p in os.listdir("/proc") if p.isdigit())
            print(names)
            """;

        var before = SandboxPids();
        var result = await PythonAsync(Code);

        AssertVerdict(SandboxVerdict.Ok, result);
        Assert.Equal("kill -1: no other process\nalive, parent 1\n['bwrap', 'python3']\n", Text(result.Stdout));
        AssertNothingLeft(result);
        AssertNoSandboxProcesses(zombiesToo: true, before);
    }

    [SandboxFact]
    public async Task Daemons_SetsidAndDoubleFork_DeadAfterTheRun()
    {
        const string Code = """
            import os, subprocess, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    for fd in (0, 1, 2):
                        os.close(fd)
                    time.sleep(30)
                    os._exit(0)
                os._exit(0)
            os.wait()
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(30)  # keeps stdout and stderr open
                    os._exit(0)
                os._exit(0)
            os.wait()
            subprocess.Popen(["sleep", "30"], start_new_session=True)
            print("parent done", flush=True)
            """;

        var before = SandboxPids();
        var stopwatch = Stopwatch.StartNew();
        var results = await Task.WhenAll(PythonAsync(Code), PythonAsync(Code, Small with { WallMs = 30_000 }));

        Assert.All(results, r => AssertVerdict(SandboxVerdict.Ok, r));
        Assert.All(results, r => Assert.Equal("parent done\n", Text(r.Stdout)));
        Assert.True(stopwatch.ElapsedMilliseconds < 3_000, $"took {stopwatch.ElapsedMilliseconds} ms");
        Assert.All(results, AssertNothingLeft);
        AssertNoSandboxProcesses(zombiesToo: true, before);
    }

    [SandboxFact]
    public async Task Signals_Concurrently_NamedAndKilled()
    {
        const string PythonIgnoresTerm = """
            import signal, time
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            print("ignoring", flush=True)
            while True:
                time.sleep(1)
            """;
        var wall = Small with { WallMs = 1_000 };

        var results = await Task.WhenAll(
            RunC(SegfaultC),
            RunC(AbortC),
            RunC(IgnoreTermC, wall),
            PythonAsync(PythonIgnoresTerm, wall),
            PythonAsync("import os, signal; os.kill(os.getpid(), signal.SIGFPE)"));

        var (segv, abort, cIgnore, pyIgnore, fpe) = (results[0], results[1], results[2], results[3], results[4]);
        AssertVerdict(SandboxVerdict.RuntimeError, segv);
        Assert.Equal("SIGSEGV", segv.Signal);
        Assert.Null(segv.ExitCode);
        AssertVerdict(SandboxVerdict.RuntimeError, abort);
        Assert.Equal("SIGABRT", abort.Signal);
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, cIgnore);
        Assert.Equal("SIGKILL", cIgnore.Signal);
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, pyIgnore);
        Assert.Equal("ignoring\n", Text(pyIgnore.Stdout));
        AssertVerdict(SandboxVerdict.RuntimeError, fpe);
        Assert.Equal("SIGFPE", fpe.Signal);
        Assert.All(results, AssertNothingLeft);
        AssertNoSandboxProcesses();
    }

    [SandboxFact]
    public async Task BytesAndStdin_Concurrently_ExactAndNeverHang()
    {
        var allBytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var hugeStdin = new byte[16 << 20];
        new Random(42).NextBytes(hugeStdin);
        const string Echo = "import sys; d = sys.stdin.buffer.read(); sys.stdout.buffer.write(d); sys.stderr.buffer.write(d[::-1])";
        const string ReadBeyondEof = """
            import sys
            data = sys.stdin.buffer.read()
            more = sys.stdin.buffer.read()
            line = sys.stdin.readline()
            try:
                input()
                print("input returned")
            except EOFError:
                print("EOF")
            print(len(data), len(more), repr(line))
            """;
        const string Digest = "import hashlib, sys; d = sys.stdin.buffer.read(); print(len(d), hashlib.sha256(d).hexdigest())";

        var stopwatch = Stopwatch.StartNew();
        var results = await Task.WhenAll(
            PythonAsync(Echo, stdin: allBytes),
            PythonAsync(ReadBeyondEof, stdin: "abc\n"u8.ToArray()),
            PythonAsync(ReadBeyondEof),
            PythonAsync(Digest, Small with { MemoryMb = 160 }, stdin: hugeStdin),
            PythonAsync("print('not reading')", stdin: hugeStdin),
            PythonAsync("import time; time.sleep(1000)", Small with { WallMs = 1_000 }, stdin: hugeStdin));

        var (echo, eof, empty, digest, unread, sleeping) = (results[0], results[1], results[2], results[3], results[4], results[5]);
        AssertVerdict(SandboxVerdict.Ok, echo);
        Assert.Equal(allBytes, echo.Stdout);
        Assert.Equal(allBytes.Reverse(), echo.Stderr);
        AssertVerdict(SandboxVerdict.Ok, eof);
        Assert.Equal("EOF\n4 0 ''\n", Text(eof.Stdout));
        AssertVerdict(SandboxVerdict.Ok, empty);
        Assert.Equal("EOF\n0 0 ''\n", Text(empty.Stdout));
        AssertVerdict(SandboxVerdict.Ok, digest);
        Assert.Equal($"{hugeStdin.Length} {Convert.ToHexStringLower(SHA256.HashData(hugeStdin))}\n", Text(digest.Stdout));
        AssertVerdict(SandboxVerdict.Ok, unread);
        Assert.Equal("not reading\n", Text(unread.Stdout));
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, sleeping);
        Assert.True(stopwatch.ElapsedMilliseconds < 6_000, $"took {stopwatch.ElapsedMilliseconds} ms");
        Assert.All(results, AssertNothingLeft);
    }

    [SandboxFact]
    public async Task Seccomp_EachDeniedSystemCall_RefusedWithEpermWhileForkAndThreadsWork()
    {
        var results = await Task.WhenAll(
            _runner.RunAsync(new SandboxRequest(["./probe"], [CProgram("probe", SyscallProbe.Source)], Limits: Small with { WallMs = 10_000 }), CancellationToken.None),
            _runner.RunAsync(new SandboxRequest(["/bin/sh", "-c", "grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/self/status"], Limits: Small), CancellationToken.None));
        var (probe, status) = (results[0], results[1]);

        AssertVerdict(SandboxVerdict.Ok, probe);
        SyscallProbe.AssertRefused(Text(probe.Stdout));
        AssertVerdict(SandboxVerdict.Ok, status);
        // A filter is in place (mode 2), with no_new_privs and no capability.
        Assert.Contains("Seccomp:\t2\n", Text(status.Stdout), StringComparison.Ordinal);
        Assert.Contains("NoNewPrivs:\t1\n", Text(status.Stdout), StringComparison.Ordinal);
        Assert.Contains("CapEff:\t0000000000000000\n", Text(status.Stdout), StringComparison.Ordinal);
        Assert.All(results, AssertNothingLeft);
    }

    [SandboxFact]
    public async Task TmpAndDevShm_NoexecNosuidNodev_ProgramsCopiedThereDoNotRun()
    {
        // A copy of a host binary and a script with a shebang, in /tmp and /dev/shm: execve fails (EACCES, 126 from the
        // shell), while reading and writing there (and running the script through an interpreter) still works.
        const string Script = """
            cp /usr/bin/true /tmp/t && cp /usr/bin/true /dev/shm/t && chmod 755 /tmp/t /dev/shm/t || exit 9
            /tmp/t; echo "tmp $?"
            /dev/shm/t; echo "shm $?"
            printf '#!/bin/sh\necho script ran\n' > /tmp/s && chmod 755 /tmp/s
            /tmp/s; echo "shebang $?"
            sh /tmp/s
            grep -E ' /(tmp|dev/shm) ' /proc/self/mountinfo
            """;
        var result = await _runner.RunAsync(new SandboxRequest(["/bin/sh", "-c", Script], Limits: Small), CancellationToken.None);

        AssertVerdict(SandboxVerdict.Ok, result);
        var lines = Text(result.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["tmp 126", "shm 126", "shebang 126", "script ran"], lines[..4]);
        var mounts = lines[4..];
        Assert.Equal(2, mounts.Length);
        Assert.All(mounts, m => Assert.Contains("nosuid,nodev,noexec", m, StringComparison.Ordinal));
        Assert.All(mounts, m => Assert.Contains($"size={Small.TmpfsMb * 1024}k", m, StringComparison.Ordinal));
        AssertNothingLeft(result);
    }

    [SandboxFact]
    public async Task ReducedIsolation_BombsStillEndWithSensibleVerdicts()
    {
        var runner = new SandboxRunner(SandboxChecks.Options(useCgroups: false));
        var limits = Small with { CpuMs = 1_000, WallMs = 4_000 };
        Task<SandboxResult> Run(SandboxRequest request) => runner.RunAsync(request, CancellationToken.None);
        var python = (string code) => new SandboxRequest(["python3", "-c", code], Limits: limits);

        var results = await Task.WhenAll(
            Run(python("print('hi')")),
            Run(python("s = b'x' * (200 << 20); print(len(s))")),
            Run(new SandboxRequest(["./membomb"], [CProgram("membomb", MemoryBombC)], Limits: limits)),
            Run(python("while True: pass")),
            Run(python("import time; time.sleep(1000)") with { Limits = limits with { WallMs = 1_000 } }),
            Run(python("import sys\nwhile True: sys.stdout.buffer.write(b'y' * 1000)")));

        var (hello, pyMemory, cMemory, loop, sleep, flood) = (results[0], results[1], results[2], results[3], results[4], results[5]);
        Assert.Equal(IsolationLevel.Reduced, runner.Isolation.Level);
        Assert.StartsWith("reduced isolation: ", runner.Isolation.ToString(), StringComparison.Ordinal);
        Assert.All(results, r => Assert.Equal(IsolationLevel.Reduced, r.Isolation.Level));
        AssertVerdict(SandboxVerdict.Ok, hello);
        Assert.Equal("hi\n", Text(hello.Stdout));

        // RLIMIT_AS: the allocation fails inside the program, which reports it as its own error.
        AssertVerdict(SandboxVerdict.RuntimeError, pyMemory);
        Assert.Contains("MemoryError", Text(pyMemory.Stderr), StringComparison.Ordinal);
        AssertVerdict(SandboxVerdict.RuntimeError, cMemory);
        Assert.StartsWith("malloc failed after ", Text(cMemory.Stdout), StringComparison.Ordinal);

        // RLIMIT_CPU: SIGXCPU at the soft limit.
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, loop);
        Assert.Equal("SIGXCPU", loop.Signal);
        AssertVerdict(SandboxVerdict.TimeLimitExceeded, sleep);
        AssertVerdict(SandboxVerdict.OutputLimitExceeded, flood);
        Assert.All(results, AssertNothingLeft);
        AssertNoSandboxProcesses();
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static int ThreadCount(SandboxResult result)
    {
        var text = Text(result.Stdout);
        Assert.StartsWith("threads ", text, StringComparison.Ordinal);
        return int.Parse(text["threads ".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AssertVerdict(SandboxVerdict expected, SandboxResult result) =>
        Assert.True(
            result.Verdict == expected,
            $"expected {expected}, got {result.Verdict} ({result.Message}); exit {result.ExitCode} {result.Signal}, " +
            $"cpu {result.CpuMs} ms, wall {result.WallMs} ms, {result.MemoryKb} KB; " +
            $"stdout: {Text(result.Stdout[..Math.Min(300, result.Stdout.Length)])}; stderr: {Text(result.Stderr[..Math.Min(600, result.Stderr.Length)])}");

    private static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private Task<SandboxResult> PythonAsync(
        string code, SandboxLimits? limits = null, byte[]? stdin = null, IReadOnlyList<SandboxFile>? files = null, string[]? args = null) =>
        _runner.RunAsync(
            new SandboxRequest(
                ["python3", "main.py", .. args ?? []],
                [new SandboxFile("main.py", Encoding.UTF8.GetBytes(code)), .. files ?? []],
                stdin ?? default(ReadOnlyMemory<byte>),
                limits ?? Small),
            CancellationToken.None);

    private Task<SandboxResult> RunC(string source, SandboxLimits? limits = null) =>
        _runner.RunAsync(new SandboxRequest(["./program"], [CProgram("program", source)], Limits: limits ?? Small), CancellationToken.None);
}
