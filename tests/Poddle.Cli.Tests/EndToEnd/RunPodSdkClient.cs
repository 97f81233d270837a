using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// The real npm package runpod-sdk (tests/runpod-client, pinned in its package-lock.json), unchanged, run by node: the pool
/// end-to-end tests send their bursts through it (burst.mjs) so the client side of RunPod's protocol is the real one.
/// </summary>
internal sealed class RunPodSdkClient : IDisposable
{
    private RunPodSdkClient(string directory) => Directory = directory;

    /// <summary>Where the client is installed (node_modules with runpod-sdk).</summary>
    public string Directory { get; }

    /// <summary>
    /// tests/runpod-client installed (npm ci) in a directory of the caller's own: the server tests run npm ci in the
    /// checked-in directory at the same time, which would remove node_modules under the caller's feet.
    /// </summary>
    public static async Task<RunPodSdkClient> PrepareAsync()
    {
        var source = Path.Combine(PoolEndToEnd.RepositoryRoot(), "tests", "runpod-client");
        var client = new RunPodSdkClient(System.IO.Directory.CreateTempSubdirectory("poddle-e2e-runpod-sdk-").FullName);
        try
        {
            foreach (var file in new[] { "package.json", "package-lock.json", "burst.mjs" })
            {
                File.Copy(Path.Combine(source, file), Path.Combine(client.Directory, file));
            }

            var install = await RunAsync(client.Directory, TimeSpan.FromMinutes(5), null, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
            Assert.True(install.ExitCode == 0, "npm ci failed:\n" + install.Output);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// burst.mjs: submits <paramref name="jobs"/> jobs {n, sleep} to <paramref name="poolId"/> with endpoint.run, waits
    /// for each with endpoint.status, then reads endpoint.health. Asserts every job was queued once and completed with its
    /// own answer, and none failed; returns the job ids.
    /// </summary>
    public async Task<List<string>> BurstAsync(string url, string token, Guid poolId, int jobs, double jobSeconds, TimeSpan timeout)
    {
        var run = await RunAsync(Directory, timeout, "burst.mjs", url, token, poolId.ToString(), jobs.ToString(CultureInfo.InvariantCulture), jobSeconds.ToString(CultureInfo.InvariantCulture));
        Assert.True(run.ExitCode == 0, "burst.mjs failed:\n" + run.Output);

        var answers = JsonNode.Parse(run.Stdout.Split('\n').Last(l => l.StartsWith("RESULT:", StringComparison.Ordinal))["RESULT:".Length..])!;
        var submitted = answers["submitted"]!.AsArray();
        Assert.Equal(jobs, submitted.Count);
        Assert.All(submitted, s => Assert.Equal("IN_QUEUE", (string)s!["status"]!));
        var ids = submitted.Select(s => (string)s!["id"]!).ToList();
        Assert.Equal(jobs, ids.Distinct(StringComparer.Ordinal).Count());
        foreach (var job in submitted)
        {
            var answer = answers["jobs"]![(string)job!["id"]!]!;
            Assert.True((string)answer["status"]! == "COMPLETED", $"job {job["id"]}: {answer.ToJsonString()}");
            Assert.Equal(2 * (int)job["n"]!, (int)answer["output"]!["double"]!);
        }

        Assert.Equal(jobs, (int)answers["health"]!["jobs"]!["completed"]!);
        Assert.Equal(0, (int)answers["health"]!["jobs"]!["failed"]!);
        return ids;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>Runs `node SCRIPT ARGS...` (or, with no script, ARGS as the command line) in <paramref name="directory"/>.</summary>
    private static async Task<(int ExitCode, string Stdout, string Output)> RunAsync(string directory, TimeSpan timeout, string? script, params string[] args)
    {
        var start = new ProcessStartInfo(script is null ? args[0] : "node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in script is null ? args[1..] : [script, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start (scripts/test.sh installs node and npm)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} ran longer than {timeout}:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, $"{await stdout}\n{await stderr}");
    }
}
