using System.Diagnostics;

namespace Poddle.Agent.Gpu;

/// <summary>The outcome of asking nvidia-smi: not installed, failed (with why), or the GPUs it listed.</summary>
/// <param name="Path">The executable that ran; null when none was found.</param>
/// <param name="Gpus">What it listed (none when it failed).</param>
/// <param name="Error">Why there is nothing to show; null when it answered.</param>
public sealed record GpuQueryResult(string? Path, IReadOnlyList<GpuDevice> Gpus, string? Error)
{
    public bool Found => Path is not null;
}

/// <summary>
/// Runs the real <c>nvidia-smi</c> (or whatever <see cref="Command"/> names: tests use a script printing a capture).
/// A bare name is looked up on PATH; a missing executable is an answer ("not found"), never an exception.
/// </summary>
public sealed class NvidiaSmi
{
    public const string DefaultCommand = "nvidia-smi";

    public NvidiaSmi(string? command = null, TimeSpan? timeout = null, string? searchPath = null)
    {
        Command = string.IsNullOrWhiteSpace(command) ? DefaultCommand : command;
        Timeout = timeout ?? TimeSpan.FromSeconds(10);
        SearchPath = searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
    }

    /// <summary>A path, or a name looked up on <see cref="SearchPath"/>.</summary>
    public string Command { get; }

    /// <summary>nvidia-smi can hang on a wedged driver: it is killed after this long.</summary>
    public TimeSpan Timeout { get; }

    public string SearchPath { get; }

    /// <summary>The executable's full path, or null when there is none.</summary>
    public string? Locate()
    {
        if (Command.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(Command) ? Path.GetFullPath(Command) : null;
        }

        foreach (var directory in SearchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, Command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary><c>nvidia-smi --query-gpu=... --format=csv,noheader,nounits</c>, parsed.</summary>
    public async Task<GpuQueryResult> QueryGpusAsync(CancellationToken cancellationToken)
    {
        var path = Locate();
        if (path is null)
        {
            return new GpuQueryResult(null, [], $"{Command} not found");
        }

        var (exitCode, stdout, stderr) = await RunAsync(path, [NvidiaSmiCsv.QueryGpuArgument, "--format=csv,noheader,nounits"], cancellationToken);
        if (exitCode != 0)
        {
            var why = FirstLine(stderr) ?? FirstLine(stdout) ?? "no output";
            return new GpuQueryResult(path, [], exitCode is null ? $"nvidia-smi did not answer within {Timeout.TotalSeconds:0.#} s" : $"nvidia-smi exited with {exitCode}: {why}");
        }

        try
        {
            return new GpuQueryResult(path, NvidiaSmiCsv.ParseGpus(stdout), null);
        }
        catch (FormatException ex)
        {
            return new GpuQueryResult(path, [], ex.Message);
        }
    }

    /// <summary>Runs nvidia-smi with <paramref name="arguments"/>; exit code null means it was killed after <see cref="Timeout"/>.</summary>
    public async Task<(int? ExitCode, string Stdout, string Stderr)> RunAsync(string path, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            return (null, string.Empty, string.Empty);
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
