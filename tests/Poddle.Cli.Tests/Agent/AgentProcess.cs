using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Poddle.Testing;

namespace Poddle.Cli.Tests.Agent;

/// <summary>
/// The real `poddle agent` (the built poddle.dll) as a child process, optionally under a wrapper such as
/// `unshare --pid --fork --mount-proc` (then the agent is PID 1 of its namespace). Its working directory is the test's
/// directory, where the test app writes its observations.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();
    private readonly Lock _gate = new();

    private AgentProcess(Process process)
    {
        _process = process;
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

    public int Id => _process.Id;

    public static string TestApp => Path.Combine(AppContext.BaseDirectory, "Agent", "test_app.py");

    /// <summary>Starts `[wrapper...] dotnet poddle.dll agent [agentArgs] -- python3 test_app.py [appArgs]`.</summary>
    public static AgentProcess Start(string directory, IReadOnlyList<string> agentArgs, IReadOnlyList<string> appArgs, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? wrapper = null)
    {
        var argv = new List<string>();
        argv.AddRange(wrapper ?? []);
        argv.AddRange(["dotnet", PoddleProcess.ExecutablePath, "agent"]);
        argv.AddRange(agentArgs);
        argv.AddRange(["--", "python3", "-u", TestApp]);
        argv.AddRange(appArgs);
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PODDLE_", StringComparison.Ordinal) || k is "RUNPOD_POD_ID" or "KUBERNETES_SERVICE_HOST").ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var agent = new AgentProcess(process);
        process.OutputDataReceived += (_, e) => agent.Append(agent._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => agent.Append(agent._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return agent;
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/> (the agent's pid by default), as `kill -SIG` would.</summary>
    public void Signal(int signal, int? pid = null) => Assert.Equal(0, Kill(pid ?? _process.Id, signal));

    /// <summary>The agent's own pid when it runs under a wrapper: the wrapper's child.</summary>
    public async Task<int> WrappedAgentPidAsync()
    {
        string[] children = [];
        await Poll.UntilAsync(
            () => (children = File.ReadAllText($"/proc/{_process.Id}/task/{_process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)).Length > 0,
            "the wrapper started the agent",
            TimeSpan.FromSeconds(20));
        return int.Parse(children[0], System.Globalization.CultureInfo.InvariantCulture);
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
            throw new TimeoutException($"poddle agent did not exit within {timeout}.{Environment.NewLine}stderr: {Stderr}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until standard error holds <paramref name="text"/>.</summary>
    public Task WaitForLogAsync(string text, TimeSpan timeout) =>
        Poll.UntilAsync(
            async () =>
            {
                if (Stderr.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }

                if (_process.HasExited)
                {
                    // Waiting for the exit again also waits until its redirected output is read to the end.
                    await _process.WaitForExitAsync();
                    Assert.True(Stderr.Contains(text, StringComparison.Ordinal), $"'{text}' not logged (agent exited). stderr:{Environment.NewLine}{Stderr}");
                    return true;
                }

                return false;
            },
            $"'{text}' is logged",
            timeout,
            () => Task.FromResult($"stderr:{Environment.NewLine}{Stderr}"));

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
        }
        finally
        {
            _process.Dispose();
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

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

/// <summary>
/// A test that needs a PID namespace (`unshare --pid --fork --mount-proc`, root or user namespaces). Skipped on a machine
/// without it; on CI (CI=true) it runs anyway and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PidNamespaceFactAttribute : FactAttribute
{
    public PidNamespaceFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return;
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo("unshare", "--pid --fork --mount-proc true") { RedirectStandardError = true, UseShellExecute = false })!;
            probe.WaitForExit(10_000);
            if (probe.ExitCode != 0)
            {
                Skip = "needs `unshare --pid --fork --mount-proc` (root or user namespaces): " + probe.StandardError.ReadToEnd().Trim();
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Skip = "needs unshare(1): " + ex.Message;
        }
    }
}
