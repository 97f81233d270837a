using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// The done-when test of the serverless API: the real npm package runpod-sdk (tests/runpod-client, pinned in its
/// package-lock.json), unchanged, with its baseUrl set to {server}/v2, runs run, status, runSync, stream, cancel,
/// health and purgeQueue against a Poddle pool. The autoscaler is not wired to the drivers yet, so no worker pod is
/// spawned: the test itself is the worker, speaking RunPod's worker protocol over HTTP as runpod-python does
/// (<see cref="RunPodStyleWorker"/>). Needs node and npm (scripts/test.sh installs them) and the npm registry or cache.
/// </summary>
public sealed class RunPodClientTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task RunPodSdk_RunsEveryCallAgainstAPool(DatabaseProvider provider)
    {
        await using var server = await PoolEndpointsTests.StartAsync(provider, new Dictionary<string, string?> { ["Pools:StreamWait"] = "00:00:02" });
        var (token, pool) = await ServerlessEndpointsTests.CreatePoolWithTokenAsync(server, "alice");
        var idlePool = await CreateIdlePoolAsync(server, token);
        await using var worker = new RunPodStyleWorker(await ServerlessEndpointsTests.CreateWorkerEnvAsync(server, pool, "worker-1"));
        var directory = Path.Combine(RepositoryRoot(), "tests", "runpod-client");

        var install = await RunAsync(directory, TimeSpan.FromMinutes(5), "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
        Assert.True(install.ExitCode == 0, "npm ci failed:\n" + install.Output);
        var run = await RunAsync(directory, TimeSpan.FromMinutes(2), "node", "run.mjs", server.BaseAddress.ToString().TrimEnd('/'), token, pool.ToString(), idlePool.ToString());
        Assert.True(run.ExitCode == 0, "run.mjs failed:\n" + run.Output);

        var line = run.Stdout.Split('\n').Last(l => l.StartsWith("RESULT:", StringComparison.Ordinal));
        var answers = JsonNode.Parse(line["RESULT:".Length..])!;
        Assert.Equal(0, (int)answers["healthBefore"]!["jobs"]!["completed"]!);
        Assert.Equal(0, (int)answers["healthBefore"]!["workers"]!["idle"]!);
        Assert.Equal("IN_QUEUE", (string)answers["run"]!["status"]!);
        Assert.Equal("COMPLETED", (string)answers["status"]!["status"]!);
        Assert.Equal(2, (int)answers["status"]!["output"]!["double"]!);
        Assert.True((bool)answers["status"]!["succeeded"]!);
        Assert.Equal("COMPLETED", (string)answers["runSync"]!["status"]!);
        Assert.Equal(42, (int)answers["runSync"]!["output"]!["double"]!);
        Assert.Equal(["a", "b", "c"], answers["stream"]!.AsArray().Select(c => (string)c!["output"]!));
        Assert.Equal(["a", "b", "c"], answers["streamStatus"]!["output"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("CANCELLED", (string)answers["cancel"]!["status"]!);
        Assert.Equal("CANCELLED", (string)answers["cancelledStatus"]!["status"]!);
        Assert.Equal(2, (int)answers["idleHealth"]!["jobs"]!["inQueue"]!);
        Assert.Equal(2, (int)answers["purge"]!["removed"]!);
        Assert.Equal("completed", (string)answers["purge"]!["status"]!);
        Assert.Equal(0, (int)answers["idleHealthAfter"]!["jobs"]!["inQueue"]!);
        Assert.Equal(3, (int)answers["healthAfter"]!["jobs"]!["completed"]!);
    }

    /// <summary>A second pool of the same owner that no worker serves (its jobs stay queued until purged).</summary>
    private static async Task<Guid> CreateIdlePoolAsync(TestServer server, string token)
    {
        using var client = server.CreateClient(token);
        var created = await client.PostAsJsonAsync("/api/pools", PoolEndpointsTests.Workers with { Name = "idle" });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<PoolResponse>())!.Id;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Poddle.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Poddle.slnx) is not above " + AppContext.BaseDirectory);
    }

    private static async Task<(int ExitCode, string Stdout, string Output)> RunAsync(string directory, TimeSpan timeout, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start (is it installed? scripts/test.sh installs node and npm)");
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
            throw new TimeoutException($"{program} {string.Join(' ', args)} ran longer than {timeout}:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, $"{await stdout}\n{await stderr}");
    }
}
