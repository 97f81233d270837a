using System.Diagnostics;
using System.Text.Json.Nodes;
using Poddle.Core.Persistence;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>
/// The real npm package piston-client (tests/piston-client, pinned in its package-lock.json), unchanged, against a
/// server with anonymous Piston use on (piston-client cannot send a token). Needs node and npm (scripts/test.sh
/// installs them) and the npm registry or npm's cache.
/// </summary>
public sealed class PistonClientTests
{
    [Fact]
    public async Task PistonClient_RunsPythonAndC_AndReadsErrors()
    {
        var (server, executor) = await PistonEndpointsTests.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Piston:AllowAnonymous"] = "true" });
        await using var _ = server;
        var directory = Path.Combine(RepositoryRoot(), "tests", "piston-client");

        var install = await RunAsync(directory, TimeSpan.FromMinutes(5), "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
        Assert.True(install.ExitCode == 0, "npm ci failed:\n" + install.Output);
        var run = await RunAsync(directory, TimeSpan.FromMinutes(2), "node", "run.mjs", server.BaseAddress.ToString().TrimEnd('/'));
        Assert.True(run.ExitCode == 0, "run.mjs failed:\n" + run.Output);

        var answers = JsonNode.Parse(run.Stdout)!;
        Assert.Contains(answers["runtimes"]!.AsArray(), r => (string)r!["language"]! == "python");
        Assert.Equal("python", (string)answers["python"]!["language"]!);
        Assert.Equal("3.11.2", (string)answers["python"]!["version"]!);
        Assert.Equal("from piston-client\n", (string)answers["python"]!["run"]!["stdout"]!);
        Assert.Equal(0, (int)answers["python"]!["run"]!["code"]!);
        Assert.Equal("by alias\n", (string)answers["pythonByAlias"]!["run"]!["output"]!);
        Assert.Equal("compiled\n", (string)answers["c"]!["run"]!["stdout"]!);
        Assert.Equal(0, (int)answers["c"]!["compile"]!["code"]!);
        Assert.Equal("RE", (string)answers["cCompileError"]!["compile"]!["status"]!);
        Assert.Contains("error", (string)answers["cCompileError"]!["run"]!["stderr"]!, StringComparison.Ordinal);
        Assert.Equal("python-9.x runtime is unknown", (string)answers["unknown"]!["message"]!);

        // What piston-client sent by default: args 1 2 3, stdin with Piston's newline, -1 memory limits as the defaults.
        var first = executor.Requests.First();
        Assert.Equal(["1", "2", "3"], first.Args!);
        Assert.Equal(128, first.RunLimits!.MemoryMb);
        Assert.Equal(3_000, first.RunLimits.WallMs);
    }

    [Fact]
    public async Task PistonClient_AgainstTheRealSandbox_RunsPythonAndC()
    {
        await using var server = await Poddle.Testing.TestServer.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Piston:AllowAnonymous"] = "true" });
        var directory = Path.Combine(RepositoryRoot(), "tests", "piston-client");

        var install = await RunAsync(directory, TimeSpan.FromMinutes(5), "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
        Assert.True(install.ExitCode == 0, "npm ci failed:\n" + install.Output);
        var run = await RunAsync(directory, TimeSpan.FromMinutes(2), "node", "run.mjs", server.BaseAddress.ToString().TrimEnd('/'));
        Assert.True(run.ExitCode == 0, "run.mjs failed:\n" + run.Output);

        var answers = JsonNode.Parse(run.Stdout)!;
        Assert.Matches(@"^3\.\d+\.\d+$", (string)answers["python"]!["version"]!);
        Assert.Equal("from piston-client\n", (string)answers["python"]!["run"]!["stdout"]!);
        Assert.Equal(0, (int)answers["python"]!["run"]!["code"]!);
        Assert.Equal("by alias\n", (string)answers["pythonByAlias"]!["run"]!["output"]!);
        Assert.Equal("hi\n", (string)answers["c"]!["run"]!["stdout"]!);
        Assert.Equal(0, (int)answers["c"]!["compile"]!["code"]!);
        Assert.NotEqual(0, (int)answers["cCompileError"]!["compile"]!["code"]!);
        Assert.Contains("error", (string)answers["cCompileError"]!["compile"]!["stderr"]!, StringComparison.Ordinal);
        Assert.Equal("python-9.x runtime is unknown", (string)answers["unknown"]!["message"]!);
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
