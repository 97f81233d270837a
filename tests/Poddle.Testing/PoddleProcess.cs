using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Poddle.Testing;

/// <summary>
/// The built `poddle` executable run as a real child process (`dotnet poddle.dll ...`), with its output captured.
/// Every wait is bounded; <see cref="DisposeAsync"/> kills the process tree if it is still running. Shared by the CLI's
/// end-to-end tests and the web app's browser tests; a project that starts it must build src/Poddle.Cli (a project
/// reference, with ReferenceOutputAssembly="false" where it needs only the program).
/// </summary>
public sealed class PoddleProcess : IAsyncDisposable
{
    /// <summary>The password <see cref="StartServerAsync"/> gives the built-in admin (user name `admin`).</summary>
    public const string AdminPassword = "admin-password-for-e2e";

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private PoddleProcess(Process process)
    {
        _process = process;
    }

    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>poddle.dll of the Poddle.Cli build with the same configuration as these tests (Debug or Release).</summary>
    public static string ExecutablePath
    {
        get
        {
            var configuration = typeof(PoddleProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Poddle.slnx")))
            {
                directory = directory.Parent;
            }

            var path = directory is null
                ? Path.Combine(AppContext.BaseDirectory, "poddle.dll")
                : Path.Combine(directory.FullName, "src", "Poddle.Cli", "bin", configuration, "net10.0", "poddle.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build src/Poddle.Cli first; {path} does not exist.", path);
        }
    }

    /// <summary>
    /// A fresh directory of mode 0700, like a new user's home: `poddle serve` started there with no --data-dir creates
    /// its default ./data itself (mode 0700), as it does for someone following the README.
    /// </summary>
    public static string NewHome(string name) => Directory.CreateTempSubdirectory($"poddle-e2e-{name}-home-").FullName;

    public static PoddleProcess Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, string? stdin = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(ExecutablePath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A child must not inherit settings meant for this test process (a developer's PODDLE_SERVER, say).
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PODDLE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var child = new PoddleProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(child._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        return child;
    }

    /// <summary>
    /// `poddle serve` on <paramref name="url"/>, started in <paramref name="home"/> with no --data-dir, so it makes its
    /// own default ./data there (the README's set-up), with <paramref name="settings"/> as environment, once it is ready.
    /// </summary>
    public static async Task<PoddleProcess> StartServerAsync(string url, string home, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?> { ["PODDLE_ADMIN_PASSWORD"] = AdminPassword, ["PODDLE_Auth__PasswordWorkFactor"] = "10" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var server = Start(["serve", "--urls", url], environment, workingDirectory: home);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)), Timeout = TimeSpan.FromSeconds(30) };
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>`http://127.0.0.1:PORT` on a port that was free a moment ago (the OS picked it), for a server to listen on.</summary>
    public static string FreeLoopbackUrl() => $"http://127.0.0.1:{FreePort.Next()}";

    /// <summary>Runs a command to completion (at most <paramref name="timeout"/>) and returns its result.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, string? stdin = null, TimeSpan? timeout = null)
    {
        await using var child = Start(args, environment, stdin);
        var exitCode = await child.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return new CliRun(exitCode, child.Stdout, child.Stderr);
    }

    /// <summary>
    /// Waits until `poddle serve` answers /readyz through <paramref name="http"/> (its BaseAddress is the server), failing
    /// at once with its output if the process exits first.
    /// </summary>
    public Task WaitUntilReadyAsync(HttpClient http, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        return Poll.UntilAsync(
            async () =>
            {
                if (HasExited)
                {
                    throw new InvalidOperationException($"poddle serve exited early.{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}");
                }

                // Only our server's answer counts: another process may hold the port (a free port picked by one test can be
                // taken by another before its server binds it), and then ours exits on the bind while the other answers.
                if (!ListensOn(http.BaseAddress!.Port))
                {
                    return false;
                }

                try
                {
                    using var response = await http.GetAsync("/readyz");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false; // Not listening yet.
                }
            },
            "poddle serve is ready",
            timeout,
            () => Task.FromResult($"{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}"));
    }

    /// <summary>Whether this server's own log says it listens on <paramref name="port"/> (ASP.NET's "Now listening on: URL").</summary>
    private bool ListensOn(int port) =>
        System.Text.RegularExpressions.Regex.IsMatch(Stdout + Stderr, $@"Now listening on: [a-z]+://[^\s""/]+:{port}(?![0-9])");

    /// <summary>SIGKILL to the server process alone, as `kill -9 PID` would: its children (and detached pods) live on.</summary>
    public async Task KillWithoutChildrenAsync()
    {
        _process.Kill(entireProcessTree: false);
        await WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"poddle did not exit within {timeout}.{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cancellation.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            builder.AppendLine(line);
        }
    }
}
