using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Poddle.Contracts;

namespace Poddle.Cli.Tests.Commands.Deployments;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in DisposeAsync (IAsyncLifetime).")]
public sealed class DeployCommandTests : IAsyncLifetime
{
    private FakeDeploymentApi _api = null!;
    private CliRunner _cli = null!;
    private string _app = null!;
    private ProjectResponse _project = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeDeploymentApi.StartAsync();
        _cli = new CliRunner(_api.BaseAddress);
        _cli.Variables[CliEnvironment.TokenVariable] = FakeDeploymentApi.Token;
        _app = Directory.CreateTempSubdirectory("poddle-app-").FullName;
        _cli.WorkingDirectory = _app;
        _project = _api.AddProject("demo");
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        Directory.Delete(_app, recursive: true);
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Deploy_CommandFromPoddleToml_PacksUploadsCreatesAndWaitsUntilRunning()
    {
        File.WriteAllText(Path.Combine(_app, "app.py"), "print('hi')\n");
        Directory.CreateDirectory(Path.Combine(_app, "node_modules"));
        File.WriteAllText(Path.Combine(_app, "node_modules", "big.js"), "x");
        File.WriteAllText(Path.Combine(_app, "poddle.toml"), """
            name = "web"
            command = "python3 app.py"
            replicas = 2
            secrets = ["API_KEY"]
            [env]
            GREETING = "hello"
            [resources]
            memory = "128Mi"
            [healthCheck]
            path = "/healthz"
            """);
        _cli.Variables["API_KEY"] = "very-secret-value";

        var run = await _cli.RunAsync("deploy", "--env", "MODE=prod", "--cpu", "0.5");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("web is running (2/2 ready, revision 1): http://web-demo.localhost:8080", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("provisioning", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", run.Stdout + run.Stderr, StringComparison.Ordinal);

        var upload = Assert.Single(_api.RequestsTo("POST", $"/api/projects/{_project.Id}/sources"));
        Assert.Equal("application/gzip", upload.ContentType);
        Assert.Equal(["app.py", "poddle.toml"], TarNames(upload.RawBody));

        var create = Assert.Single(_api.RequestsTo("POST", $"/api/projects/{_project.Id}/deployments")).Json;
        var sent = JsonSerializer.Deserialize(create.GetRawText(), PoddleJsonContext.Default.CreateDeploymentRequest)!;
        Assert.Equal("web", sent.Name);
        Assert.Equal(["/bin/sh", "-c", "python3 app.py"], sent.Command); // a string runs in the shell, as on Render and Fly
        Assert.Null(sent.Image);
        Assert.Equal(_api.Sources.Keys.Single(), sent.SourceId);
        Assert.Equal(2, sent.Replicas);
        Assert.Equal(new Dictionary<string, string> { ["GREETING"] = "hello", ["MODE"] = "prod" }, sent.Env);
        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = "very-secret-value" }, sent.Secrets);
        Assert.Equal(new ResourcesDto(500, 128), sent.Resources);
        Assert.Equal("http", sent.HealthCheck!.Type);
        Assert.Equal("/healthz", sent.HealthCheck.Path);
        Assert.Empty(_api.RequestsTo("PATCH", "/api/deployments/.*"));
    }

    [Fact]
    public async Task Deploy_ExistingName_PatchesANewRevisionAndScales()
    {
        var existing = _api.AddDeployment(_project, "web", replicas: 1, driver: "docker");

        var run = await _cli.RunAsync("deploy", "--name", "web", "--image", "busybox:1.36", "--replicas", "3", "--secret", "TOKEN=abc", "--project", "demo");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(_api.RequestsTo("POST", ".*/deployments"));
        Assert.Empty(_api.RequestsTo("POST", ".*/sources")); // an image needs no upload
        var patch = JsonSerializer.Deserialize(Assert.Single(_api.RequestsTo("PATCH", $"/api/deployments/{existing.Id}")).Body, PoddleJsonContext.Default.UpdateDeploymentRequest)!;
        Assert.Equal("busybox:1.36", patch.Image);
        Assert.Null(patch.Command);
        Assert.Equal("abc", patch.Secrets!["TOKEN"]);
        Assert.Null(patch.Env);
        Assert.Equal("{\"replicas\":3}", Assert.Single(_api.RequestsTo("PATCH", $"/api/deployments/{existing.Id}/scale")).Body);
        Assert.Contains("Updating web in project demo to revision 2", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("revision 2", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_ExistingNameOnAnotherDriver_SaysToRemoveFirst()
    {
        _api.AddDeployment(_project, "web", driver: "sandbox");

        var run = await _cli.RunAsync("deploy", "--name", "web", "--image", "busybox", "--driver", "docker");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cannot change its driver", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("poddle rm web", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_api.RequestsTo("PATCH", ".*"));
    }

    [Fact]
    public async Task Deploy_Failed_ExitsDeploymentFailedWithTheReason()
    {
        _api.Outcome = "failed";

        var run = await _cli.RunAsync("deploy", "--name", "crashy", "--image", "busybox");

        Assert.Equal((int)ExitCode.DeploymentFailed, run.ExitCode);
        Assert.Contains("crashy failed: crash loop: exit code 3", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("poddle logs crashy", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("BackOff", run.Stdout, StringComparison.Ordinal); // events seen while waiting are shown
    }

    [Fact]
    public async Task Deploy_CrashLooping_StopsEarlyWithEachReplicasStderrAndExitsThree()
    {
        _api.Outcome = "crashloop";

        var run = await _cli.RunAsync("deploy", "--name", "crashy", "--image", "busybox", "--replicas", "2", "--timeout", "5m");

        Assert.Equal((int)ExitCode.DeploymentFailed, run.ExitCode);
        Assert.Contains("crashy is crashing: 2 of 2 replicas of revision 1 keep exiting (exit code 1)", run.Stderr, StringComparison.Ordinal);
        foreach (var i in new[] { 0, 1 })
        {
            var shortId = FakeDeploymentApi.Deployment.ShortIdOf(FakeDeploymentApi.Deployment.ReplicaId(i));
            Assert.Contains($"replica {shortId} exited (exit code 1)", run.Stderr, StringComparison.Ordinal);
            Assert.Contains($"KeyError: 'DATABASE_URL' (replica {i})", run.Stderr, StringComparison.Ordinal);
        }

        Assert.Contains("poddle logs crashy", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("longer --timeout", run.Stderr, StringComparison.Ordinal);

        // While following, an event shows its first line only; the stderr lines come once, in the verdict.
        Assert.DoesNotContain("KeyError", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, run.Stderr.Split("Traceback").Length - 1);
    }

    [Fact]
    public async Task Deploy_CommandFlag_RunsInTheShell()
    {
        File.WriteAllText(Path.Combine(_app, "app.py"), "print('hi')\n");

        var run = await _cli.RunAsync("deploy", "--name", "web", "--command", "python3 -m http.server $PORT", "--no-wait");

        Assert.True(run.ExitCode == 0, run.ToString());
        var sent = JsonSerializer.Deserialize(Assert.Single(_api.RequestsTo("POST", $"/api/projects/{_project.Id}/deployments")).Body, PoddleJsonContext.Default.CreateDeploymentRequest)!;
        Assert.Equal(["/bin/sh", "-c", "python3 -m http.server $PORT"], sent.Command);
    }

    [Fact]
    public async Task Deploy_RolledBackByTheServer_IsAFailure()
    {
        var existing = _api.AddDeployment(_project, "web", replicas: 1, driver: "docker");
        _api.Outcome = "rollback";

        var run = await _cli.RunAsync("deploy", "--name", "web", "--image", "busybox:broken");

        Assert.Equal((int)ExitCode.DeploymentFailed, run.ExitCode);
        Assert.Contains("revision 2 did not become ready and the deployment is back on revision 1", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, existing.Revision);
    }

    [Fact]
    public async Task Deploy_NotReadyInTime_ExitsTimeout()
    {
        _api.Outcome = "stuck";

        var run = await _cli.RunAsync("deploy", "--name", "slow", "--image", "busybox", "--timeout", "1s");

        Assert.Equal((int)ExitCode.Timeout, run.ExitCode);
        Assert.Contains("slow is not running after 1s (provisioning · 0/1 ready)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--timeout", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_CtrlCWhileWaiting_ExitsCancelled()
    {
        _api.Outcome = "stuck";
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        var run = await _cli.RunCancellableAsync(cts.Token, "deploy", "--name", "slow", "--image", "busybox").WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal((int)ExitCode.Cancelled, run.ExitCode);
        Assert.Contains("Cancelled.", run.Stderr, StringComparison.Ordinal);
        Assert.Single(_api.Deployments); // the deployment stays: Ctrl+C stops watching, not deploying
    }

    [Fact]
    public async Task Deploy_NoWaitJson_PrintsTheAcceptedDeploymentOnly()
    {
        var run = await _cli.RunAsync("deploy", "--name", "web", "--image", "nginx:1.27", "--no-wait", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var deployment = JsonSerializer.Deserialize(run.Stdout, PoddleJsonContext.Default.DeploymentResponse)!;
        Assert.Equal("pending", deployment.Status);
        Assert.Equal("docker", deployment.Driver);
        Assert.Empty(_api.RequestsTo("GET", "/api/deployments/.*"));
    }

    [Fact]
    public async Task Deploy_Json_WaitsAndPrintsTheRunningDeployment()
    {
        var run = await _cli.RunAsync("deploy", "--name", "web", "--image", "nginx:1.27", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("running", JsonSerializer.Deserialize(run.Stdout, PoddleJsonContext.Default.DeploymentResponse)!.Status);
        Assert.Contains("Creating web", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_SecretWithoutValue_ReadsTheEnvironmentOrSaysWhatToDo()
    {
        var missing = await _cli.RunAsync("deploy", "--name", "web", "--image", "busybox", "--secret", "DB_PASSWORD");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("set the environment variable DB_PASSWORD", missing.Stderr, StringComparison.Ordinal);
        Assert.Empty(_api.RequestsTo("POST", ".*"));

        _cli.Variables["DB_PASSWORD"] = "hunter2";
        var ok = await _cli.RunAsync("deploy", "--name", "web", "--image", "busybox", "--secret", "DB_PASSWORD", "--no-wait");

        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("hunter2", _api.Deployments.Values.Single().Secrets["DB_PASSWORD"]);
        Assert.DoesNotContain("hunter2", ok.Stdout + ok.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_ServerValidation_ExitsOneListingTheFields()
    {
        var run = await _cli.RunAsync("deploy", "--name", "web", "--image", "busybox", "--replicas", "50");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("replicas: At most 10 on your tier.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_SeveralProjectsAndNoneNamed_SaysHowToChoose()
    {
        _api.AddProject("other");

        var run = await _cli.RunAsync("deploy", "--name", "web", "--image", "busybox");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("You have 2 projects (demo, other)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--project", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_ProjectFromTheAppFile_AndFlagsOverTheFile()
    {
        _api.AddProject("other");
        File.WriteAllText(Path.Combine(_app, "poddle.yaml"), "project: other\nname: from-file\ncommand: ./serve\nport: 9000\n");

        var run = await _cli.RunAsync("deploy", _app, "--image", "busybox", "--port", "8081", "--no-wait");

        Assert.True(run.ExitCode == 0, run.ToString());
        var other = _api.Projects.Single(p => p.Name == "other");
        var sent = JsonSerializer.Deserialize(Assert.Single(_api.RequestsTo("POST", $"/api/projects/{other.Id}/deployments")).Body, PoddleJsonContext.Default.CreateDeploymentRequest)!;
        Assert.Equal("from-file", sent.Name);
        Assert.Equal("busybox", sent.Image);
        Assert.Null(sent.Command);
        Assert.Equal(8081, sent.Port);
    }

    [Fact]
    public async Task Deploy_ImageAndCommand_TheCommandOverridesTheImagesAndNothingIsUploaded()
    {
        _api.AddProject("other");
        var run = await _cli.RunAsync("deploy", _app, "--project", "other", "--image", "busybox", "--command", "httpd -f -p 8080", "--read-only", "--cap-add", "NET_BIND_SERVICE", "--no-wait");

        Assert.True(run.ExitCode == 0, run.ToString());
        var other = _api.Projects.Single(p => p.Name == "other");
        var sent = JsonSerializer.Deserialize(Assert.Single(_api.RequestsTo("POST", $"/api/projects/{other.Id}/deployments")).Body, PoddleJsonContext.Default.CreateDeploymentRequest)!;
        Assert.Equal("busybox", sent.Image);
        Assert.Equal(["/bin/sh", "-c", "httpd -f -p 8080"], sent.Command); // a string is shell form, as a Dockerfile's CMD string
        Assert.Null(sent.SourceId);
        Assert.Equal(true, sent.Security!.ReadOnlyRootFilesystem);
        Assert.Equal(["NET_BIND_SERVICE"], sent.Security.Capabilities);
        Assert.Empty(_api.RequestsTo("POST", $"/api/projects/{other.Id}/sources"));
    }

    [Fact]
    public async Task Deploy_BadFlags_AreUsageErrors()
    {
        var registry = await _cli.RunAsync("deploy", "--image", "a", "--registry-server", "ghcr.io");
        var memory = await _cli.RunAsync("deploy", "--image", "a", "--memory", "lots");
        var nothing = await _cli.RunAsync("deploy");

        Assert.Equal(2, registry.ExitCode);
        Assert.Contains("--registry-username", registry.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, memory.ExitCode);
        Assert.Contains("--memory 'lots'", memory.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("Nothing to run", nothing.Stderr, StringComparison.Ordinal);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Deploy_LinkOutsideTheDirectory_IsRefusedBeforeAnythingIsSent()
    {
        File.WriteAllText(Path.Combine(_app, "app.py"), "x");
        File.CreateSymbolicLink(Path.Combine(_app, "hosts"), "/etc/hosts");

        var run = await _cli.RunAsync("deploy", "--name", "web", "--command", "python3 app.py");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'hosts' is a symbolic link to '/etc/hosts'", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_api.RequestsTo("POST", ".*"));
    }

    private static List<string> TarNames(byte[] tarGz)
    {
        using var gzip = new GZipStream(new MemoryStream(tarGz), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        return names;
    }
}
