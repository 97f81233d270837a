using System.Text.Json;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;
using Poddle.Testing.RunPod;

namespace Poddle.Cli.Tests.Commands.Fleet;

/// <summary>`poddle pods` against a real server whose RunPod driver talks to the RunPod fake over HTTP.</summary>
public sealed class PodsCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("poddle-pods-cli-").FullName;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pods_CreateFromTemplateListGetStopStartMonitorAccountTerminate(DatabaseProvider provider)
    {
        await using var fake = await RunPodFake.StartAsync();
        fake.AddOutOfBand("notebook-of-someone", []);
        await using var server = await TestServer.StartAsync(provider, Settings(fake));
        using var cli = await AdminAsync(server);
        await File.WriteAllTextAsync(Path.Combine(_directory, "pod.toml"), """
            name = "trainer"
            image = "runpod/pytorch:2.1.0"
            gpuType = "NVIDIA GeForce RTX 4090"
            gpuCount = 1
            volumeGb = 50
            volumeMountPath = "/workspace"
            ports = ["8888/http"]
            cloudType = "community"

            [env]
            MODEL = "llama"
            """);

        var created = await cli.RunAsync("pods", "create", "--file", "pod.toml", "--gpu-count", "2", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var pod = JsonSerializer.Deserialize(created.Stdout, PoddleJsonContext.Default.PodResponse)!;
        var rented = Assert.Single(fake.Pods, p => p.Id == pod.Id);
        Assert.Equal((2, "COMMUNITY", "/workspace"), (rented.GpuCount, rented.CloudType, rented.VolumeMountPath));

        var table = await cli.RunAsync("pods", "ls");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(pod.Id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("unmanaged", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("pod/", table.Stdout, StringComparison.Ordinal);

        var shown = await cli.RunAsync("pods", "get", pod.Id);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("2 x RTX 4090", shown.Stdout, StringComparison.Ordinal);

        var stopped = await cli.RunAsync("pods", "stop", pod.Id, "--json");
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Equal("EXITED", JsonSerializer.Deserialize(stopped.Stdout, PoddleJsonContext.Default.PodResponse)!.Status);
        Assert.Equal(0, (await cli.RunAsync("pods", "start", pod.Id)).ExitCode);

        var monitor = await cli.RunAsync("pods", "monitor", "--interval", "1", "--count", "2");
        Assert.True(monitor.ExitCode == 0, monitor.ToString());
        Assert.Equal(2, monitor.Stdout.Split(pod.Id).Length - 1);

        var account = await cli.RunAsync("pods", "account", "--json");
        Assert.True(account.ExitCode == 0, account.ToString());
        Assert.Equal(100m, JsonSerializer.Deserialize(account.Stdout, PoddleJsonContext.Default.PodAccountResponse)!.Balance);

        var refused = await cli.RunAsync("pods", "terminate", pod.Id);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--yes", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await cli.RunAsync("pods", "terminate", pod.Id, "--yes")).ExitCode);
        Assert.DoesNotContain(fake.Pods, p => p.Id == pod.Id);
    }

    [Fact]
    public async Task Pods_Mistakes_SayWhatToDo()
    {
        await using var fake = await RunPodFake.StartAsync();
        await using var server = await TestServer.StartAsync(DatabaseProvider.Sqlite, Settings(fake));
        using var cli = await AdminAsync(server);

        var noImage = await cli.RunAsync("pods", "create", "--gpu-type", "NVIDIA GeForce RTX 4090");
        var invalid = await cli.RunAsync("pods", "create", "--image", "x", "--gpu-count", "99", "--port", "80/udp");
        var missing = await cli.RunAsync("pods", "get", "nope");
        var noAccount = await cli.RunAsync("pods", "account", "--driver", "nope");

        Assert.Equal(2, noImage.ExitCode);
        Assert.Contains("--image", noImage.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("gpuCount", invalid.Stderr, StringComparison.Ordinal);
        Assert.Contains("ports[0]", invalid.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.NotEqual(0, noAccount.ExitCode);
        Assert.Contains("driver", noAccount.Stderr, StringComparison.Ordinal);
        Assert.Empty(fake.Pods);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Dictionary<string, string?> Settings(RunPodFake fake) => new()
    {
        ["RunPod:ApiKey"] = fake.ApiKey,
        ["RunPod:Endpoint"] = fake.GraphQLUrl.ToString(),
        ["Jobs:Workers"] = "0",
    };

    private async Task<CliRunner> AdminAsync(TestServer server)
    {
        var cli = new CliRunner(server.BaseAddress) { WorkingDirectory = _directory };
        var login = await cli.RunWithInputAsync(TestServer.AdminPassword + "\n", "login", "-u", TestServer.AdminUsername, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        return cli;
    }
}
