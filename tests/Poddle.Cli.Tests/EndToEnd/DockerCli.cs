using System.Diagnostics;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>The `docker` command, for end-to-end tests that look at (or clean up) what the server made on the engine.</summary>
internal static class DockerCli
{
    /// <summary>Runs `docker ARGS...` and returns its standard output.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    /// <summary>The full ids of a deployment's containers: running ones, or all (exited and kept ones too).</summary>
    public static async Task<List<string>> ContainersAsync(Guid deploymentId, bool all = false)
    {
        var output = await RunAsync(["ps", "-q", "--no-trunc", .. all ? new[] { "-a" } : [], "--filter", $"label=poddle.id={deploymentId:N}"]);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
