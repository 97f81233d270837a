using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Poddle.Agent.Supervisor;

namespace Poddle.Agent.Worker;

/// <summary>
/// Runs the worker's command once for one job: the job's input as JSON on standard input, standard output collected
/// (up to a limit), the tail of standard error kept for the error report. The process tree is killed when the job's
/// execution timeout passes or the job is stopped (cancelled on the server, or the agent stops hard). The worker's key
/// and the agent token are not passed on: the command has no use for them.
/// </summary>
public sealed class JobProcess(IReadOnlyList<string> command, bool shell, IReadOnlyDictionary<string, string> variables, ChildProcesses children, TimeProvider time)
{
    /// <summary>Bytes of standard error kept for a failed job's error.</summary>
    public const int StderrTailBytes = 4096;

    /// <summary>The most bytes of standard output a job's result may have (the server's default Pools:MaxPayloadBytes).</summary>
    public int MaxOutputBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Runs it; <paramref name="stop"/> kills it (a stopped outcome).</summary>
    public async Task<JobOutcome> RunAsync(string inputJson, TimeSpan? timeout, CancellationToken stop)
    {
        IReadOnlyList<string> argv = shell ? ["/bin/sh", "-c", string.Join(' ', command)] : command;
        variables.TryGetValue("PATH", out var path);
        if (AppSupervisor.ResolveExecutable(argv[0], path) is not { } program)
        {
            return new JobOutcome(null, string.Empty, string.Empty, false, false, false, $"{argv[0]}: command not found");
        }

        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (key, value) in variables)
        {
            if (key is not WorkerEnvironment.ApiKey and not Options.AgentOptionsBuilder.TokenVariable)
            {
                start.Environment[key] = value;
            }
        }

        Process process;
        try
        {
            process = children.Start(start);
        }
        catch (Win32Exception ex)
        {
            return new JobOutcome(null, string.Empty, string.Empty, false, false, false, $"{argv[0]}: {ex.Message}");
        }

        using (process)
        {
            using var timer = timeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
            using var kill = CancellationTokenSource.CreateLinkedTokenSource(stop, timer.Token);
            var stdout = ReadLimitedAsync(process.StandardOutput.BaseStream, MaxOutputBytes);
            var stderr = ReadTailAsync(process.StandardError.BaseStream, StderrTailBytes);
            var stdin = WriteInputAsync(process, inputJson);
            try
            {
                await process.WaitForExitAsync(kill.Token);
            }
            catch (OperationCanceledException)
            {
                KillTree(process);
                await process.WaitForExitAsync(CancellationToken.None);
            }
            finally
            {
                children.Forget(process.Id);
            }

            await stdin;
            var (output, tooLarge) = await stdout;
            var tail = await stderr;
            var timedOut = timer.IsCancellationRequested && !stop.IsCancellationRequested;
            var stopped = stop.IsCancellationRequested;
            return new JobOutcome(timedOut || stopped ? null : process.ExitCode, output, tail, timedOut, stopped, tooLarge, null);
        }
    }

    private static async Task WriteInputAsync(Process process, string inputJson)
    {
        try
        {
            await using var stdin = process.StandardInput.BaseStream;
            await stdin.WriteAsync(Encoding.UTF8.GetBytes(inputJson));
        }
        catch (IOException)
        {
            // The command exited (or closed its input) before reading it all: its exit says how the job went.
        }
    }

    /// <summary>The stream's text up to <paramref name="limit"/> bytes; the rest is read and dropped (the process must not block on a full pipe).</summary>
    private static async Task<(string Text, bool TooLarge)> ReadLimitedAsync(Stream stream, int limit)
    {
        using var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var tooLarge = false;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            if (kept.Length + read > limit)
            {
                tooLarge = true;
                continue;
            }

            kept.Write(buffer, 0, read);
        }

        return (tooLarge ? string.Empty : Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length), tooLarge);
    }

    /// <summary>The last <paramref name="limit"/> bytes of the stream, as text.</summary>
    private static async Task<string> ReadTailAsync(Stream stream, int limit)
    {
        var ring = new byte[limit];
        long total = 0;
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                ring[(total + i) % limit] = buffer[i];
            }

            total += read;
        }

        if (total <= limit)
        {
            return Encoding.UTF8.GetString(ring, 0, (int)total);
        }

        var start = (int)(total % limit);
        var ordered = new byte[limit];
        Array.Copy(ring, start, ordered, 0, limit - start);
        Array.Copy(ring, 0, ordered, limit - start, start);
        return Encoding.UTF8.GetString(ordered).TrimStart('\uFFFD');
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
        catch (Win32Exception)
        {
        }
    }
}
