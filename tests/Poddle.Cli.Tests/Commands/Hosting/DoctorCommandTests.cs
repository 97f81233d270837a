using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Drivers.Abstractions.Execution;
using Poddle.Server.Hosting;

namespace Poddle.Cli.Tests.Commands.Hosting;

/// <summary>
/// `poddle doctor` against this machine's real sandbox, with the server's own settings: the languages it offers are the
/// server's, and a data directory whose mode would stop a pod is caught (as /readyz does).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DoctorCommandTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // A private home, as a new user's: doctor and the server find everything under it.
    private readonly string _home = Directory.CreateTempSubdirectory("poddle-doctor-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Doctor_TheServersConfigFile_OffersExactlyTheLanguagesTheServerOffers()
    {
        var dataDir = Path.Combine(_home, "data");
        Directory.CreateDirectory(dataDir, Private);
        await File.WriteAllTextAsync(Path.Combine(dataDir, "poddle.json"), """{ "Sandbox": { "Execution": { "Languages": [ "python", "bash" ], "WarmPool": { "Enabled": false } } } }""");
        var app = await PoddleServer.StartAsync(new ServerStartOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDir = dataDir,
            Console = TextWriter.Null,
            Settings = new Dictionary<string, string?> { ["Admin:Password"] = "admin-password-for-doctor", ["Auth:PasswordWorkFactor"] = "10", ["Docker:Enabled"] = "false" },
        });
        IReadOnlyList<string> served;
        await using (app)
        {
            served = app.Services.GetRequiredService<ICodeExecutor>().Runtimes.Select(r => r.Language).Order().ToList();
            await app.StopAsync();
        }

        using var cli = new CliRunner();
        var run = await cli.RunAsync("doctor", "--data-dir", dataDir, "--json");

        var report = JsonNode.Parse(run.Stdout)!;
        var languages = report["toolchains"]!.AsArray().Select(l => l!).ToList();
        Assert.Equal(served, languages.Where(l => (bool)l["offered"]!).Select(l => (string)l["language"]!).Order());
        Assert.Equal(["bash", "python"], served);
        Assert.All(
            languages.Where(l => (string)l["language"]! is not ("python" or "bash")),
            l => Assert.Equal("not in Sandbox:Execution:Languages", (string?)l["reason"]));
        Assert.True((bool)report["pods"]!["checked"]!, run.ToString());
    }

    [Fact]
    public async Task Doctor_DataDirectoryOfMode0700_APodStartsThere()
    {
        var dataDir = Path.Combine(_home, "data");
        Directory.CreateDirectory(dataDir, Private);
        using var cli = new CliRunner();

        var run = await cli.RunAsync("doctor", "--data-dir", dataDir, "--json");

        var report = JsonNode.Parse(run.Stdout)!;
        var isolation = (string)report["isolation"]!;
        Assert.True((bool)report["pods"]!["checked"]!);
        Assert.True((bool)report["pods"]!["ok"]!, run.ToString());
        Assert.Equal(isolation == "full" ? 0 : 1, run.ExitCode);
        Assert.Equal(Private, File.GetUnixFileMode(dataDir)); // looked at, not opened up
    }

    [Fact]
    public async Task Doctor_NoDataDirectoryYet_PodsNotCheckedAndNothingCreated()
    {
        var dataDir = Path.Combine(_home, "data");
        using var cli = new CliRunner();

        var run = await cli.RunAsync("doctor", "--data-dir", dataDir, "--json");

        var pods = JsonNode.Parse(run.Stdout)!["pods"]!;
        Assert.False((bool)pods["checked"]!);
        Assert.Contains("does not exist yet", (string)pods["detail"]!, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dataDir));
    }

    [Fact]
    public async Task Doctor_AWorkRootTheSandboxCannotEnter_FailsNamingTheKey()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // only root checks it: without root the sandbox runs as the server's own uid
        }

        var dataDir = Path.Combine(_home, "data");
        var workRoot = Path.Combine(_home, "runs");
        Directory.CreateDirectory(dataDir, Private);
        Directory.CreateDirectory(workRoot, Private);
        await File.WriteAllTextAsync(Path.Combine(dataDir, "poddle.json"), $$"""{ "Sandbox": { "WorkRoot": "{{workRoot}}" } }""");
        using var cli = new CliRunner();

        var run = await cli.RunAsync("doctor", "--data-dir", dataDir);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Sandbox:WorkRoot", run.Stdout, StringComparison.Ordinal);
    }
}
