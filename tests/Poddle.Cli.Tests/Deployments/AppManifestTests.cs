using Poddle.Cli.Deployments;
using Poddle.Contracts;

namespace Poddle.Cli.Tests.Deployments;

public sealed class AppManifestTests : IDisposable
{
    private const string Toml = """
        name = "web"
        project = "demo"
        command = ["python3", "app.py"]
        port = 9000
        replicas = 2
        driver = "sandbox"
        secrets = ["API_KEY"]

        [env]
        GREETING = "hello"
        WORKERS = 4

        [resources]
        cpu = "500m"
        memory = "512Mi"

        [healthCheck]
        path = "/healthz"
        periodSeconds = 5
        failureThreshold = 2
        """;

    private const string Yaml = """
        name: web
        project: demo
        command: [python3, app.py]
        port: 9000
        replicas: 2
        driver: sandbox
        secrets:
          - API_KEY
        env:
          GREETING: hello
          WORKERS: 4
        resources:
          cpu: 0.5
          memory: 512Mi
        healthCheck:
          type: http
          path: /healthz
          periodSeconds: 5
          failureThreshold: 2
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("poddle-manifest-").FullName;

    [Fact]
    public void Toml_ReadsEveryField()
    {
        File.WriteAllText(Path.Combine(_dir, "poddle.toml"), Toml);

        var manifest = AppManifest.Load(_dir);

        AssertFullManifest(manifest);
        Assert.EndsWith("poddle.toml", manifest.Path, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("poddle.yaml")]
    [InlineData("poddle.yml")]
    public void Yaml_ReadsTheSameSchema(string fileName)
    {
        File.WriteAllText(Path.Combine(_dir, fileName), Yaml);

        AssertFullManifest(AppManifest.Load(_dir));
    }

    [Fact]
    public void NoFile_IsAnEmptyManifest()
    {
        var manifest = AppManifest.Load(_dir);

        Assert.Null(manifest.Path);
        Assert.Null(manifest.Name);
        Assert.Empty(manifest.Env);
    }

    [Fact]
    public void CommandAsString_RunsInTheShell_AsAListRunsAsGiven()
    {
        var manifest = AppManifest.ParseToml("command = \"python3 -m http.server $PORT\"", "poddle.toml");
        var yaml = AppManifest.ParseYaml("command: exec ./serve --port \"$PORT\"\n", "poddle.yaml");

        Assert.Equal(["/bin/sh", "-c", "python3 -m http.server $PORT"], manifest.Command);
        Assert.Equal(["/bin/sh", "-c", "exec ./serve --port \"$PORT\""], yaml.Command);
        Assert.Null(manifest.HealthCheck);
    }

    [Fact]
    public void HealthCheckNone_IsKept()
    {
        var manifest = AppManifest.ParseToml("command = [\"./worker\"]\n[healthCheck]\ntype = \"none\"", "poddle.toml");

        Assert.Equal("none", manifest.HealthCheck!.Type);
    }

    [Theory]
    [InlineData("colour = \"red\"", "colour: unknown setting")]
    [InlineData("[resources]\nmemory = \"12X\"", "resources.memory: '12X' is not a memory size")]
    [InlineData("[resources]\ncpu = \"lots\"", "resources.cpu: 'lots' is not a CPU amount")]
    [InlineData("port = \"eighty\"", "port: 'eighty' is not a whole number")]
    [InlineData("[security]\nprivileged = true", "security.privileged: unknown setting")]
    [InlineData("[security]\nrunAsNonRoot = \"sure\"", "security.runAsNonRoot: 'sure' is not true or false")]
    [InlineData("[security]\ncapabilities = \"CHOWN\"", "security.capabilities: must be a list")]
    [InlineData("[registryAuth]\nserver = \"ghcr.io\"\npassword = \"hunter2\"", "registryAuth.password: a password never goes in the app file")]
    [InlineData("[env]\n\"1X\" = \"a\"", "env.1X: not a valid variable name")]
    [InlineData("[healthCheck]\ninterval = 3", "healthCheck.interval: unknown setting")]
    [InlineData("name = [", "is not valid TOML")]
    public void BadToml_NamesTheFileAndTheField(string toml, string expected)
    {
        var ex = Assert.Throws<CliException>(() => AppManifest.ParseToml(toml, "/app/poddle.toml"));

        Assert.StartsWith("/app/poddle.toml", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: [unclosed", "is not valid YAML")]
    [InlineData("- a\n- b", "must be a mapping")]
    [InlineData("env: 3", "env: must be a table")]
    [InlineData("replicas: two", "replicas: 'two' is not a whole number")]
    public void BadYaml_NamesTheProblem(string yaml, string expected)
    {
        var ex = Assert.Throws<CliException>(() => AppManifest.ParseYaml(yaml, "poddle.yaml"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoFiles_AreRefused()
    {
        File.WriteAllText(Path.Combine(_dir, "poddle.toml"), "name = \"a\"");
        File.WriteAllText(Path.Combine(_dir, "poddle.yaml"), "name: b");

        var ex = Assert.Throws<CliException>(() => AppManifest.Load(_dir));

        Assert.Contains("keep one", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_FlagsWinAndEnvMergesKeyByKey()
    {
        var manifest = AppManifest.ParseToml(Toml, "poddle.toml");
        var flags = new DeployFlags(
            Name: "api", Image: "busybox:1.36", Command: null, Port: 8081, Env: ["GREETING=hi", "EXTRA=1"], Secrets: ["DB_URL=postgres://x"],
            Replicas: 3, Cpu: "1", Memory: "1Gi", HealthPath: "/ready", Driver: "docker");

        var plan = DeployPlan.Merge(manifest, flags, "/src/my-app", key => "from-env-" + key);

        Assert.Equal("api", plan.Name);
        Assert.Equal("busybox:1.36", plan.Image);
        Assert.Null(plan.Command); // --image replaces the file's command
        Assert.Equal(8081, plan.Port);
        Assert.Equal(new Dictionary<string, string> { ["GREETING"] = "hi", ["WORKERS"] = "4", ["EXTRA"] = "1" }, plan.Env);
        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = "from-env-API_KEY", ["DB_URL"] = "postgres://x" }, plan.Secrets);
        Assert.Equal(3, plan.Replicas);
        Assert.Equal(1000, plan.CpuMillicores);
        Assert.Equal(1024, plan.MemoryMb);
        Assert.Equal(new HealthCheckDto("http", "/ready", null, null, 5, null, 2, null), plan.HealthCheck);
        Assert.Equal("docker", plan.Driver);
    }

    [Fact]
    public void Merge_WithoutFlags_TakesTheFileAndNamesAfterTheDirectory()
    {
        var manifest = AppManifest.ParseToml("command = \"./run\"", "poddle.toml");
        var none = new DeployFlags(null, null, null, null, [], [], null, null, null, null, null);

        var plan = DeployPlan.Merge(manifest, none, "/src/My_App.v2/", _ => throw new InvalidOperationException("no secrets asked"));

        Assert.Equal("my-app-v2", plan.Name);
        Assert.Equal(["/bin/sh", "-c", "./run"], plan.Command);
        Assert.Null(plan.Port);
        Assert.Null(plan.ToCreateRequest(null).Resources);
        Assert.Null(plan.ToCreateRequest(null).Env);
    }

    [Fact]
    public void Merge_NothingToRun_IsAUsageErrorThatSaysWhatToPass()
    {
        var none = new DeployFlags(null, null, null, null, [], [], null, null, null, null, null);

        var ex = Assert.Throws<CliException>(() => DeployPlan.Merge(new AppManifest(), none, "/src/app", _ => ""));

        Assert.Equal(ExitCode.Usage, ex.ExitCode);
        Assert.Contains("--image", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--command", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Toml_ImageWithCommandSecurityAndRegistry_AreRead()
    {
        var manifest = AppManifest.ParseToml("""
            image = "ghcr.io/team/web:1"
            command = "web --port 8080"

            [security]
            readOnlyRootFilesystem = true
            runAsNonRoot = true
            user = 1000
            capabilities = ["NET_BIND_SERVICE"]

            [registryAuth]
            server = "ghcr.io"
            username = "alice"
            """, "poddle.toml");

        Assert.Equal("ghcr.io/team/web:1", manifest.Image);
        Assert.Equal(["/bin/sh", "-c", "web --port 8080"], manifest.Command);
        Assert.Equal(new SecurityDto(true, true, "1000", null), manifest.Security! with { Capabilities = null });
        Assert.Equal(["NET_BIND_SERVICE"], manifest.Security.Capabilities);
        Assert.Equal(("ghcr.io", "alice"), manifest.RegistryAuth);
    }

    [Fact]
    public void Yaml_SecurityBooleansAsText_AreRead()
    {
        var manifest = AppManifest.ParseYaml("image: web\nsecurity:\n  readOnlyRootFilesystem: true\n  user: \"1000:1000\"\n", "poddle.yaml");

        Assert.Equal(new SecurityDto(true, null, "1000:1000", null), manifest.Security);
    }

    [Fact]
    public void Merge_ImageAndCommand_CommandOverridesTheImagesAndFlagsAddSecurityAndCredentials()
    {
        var manifest = AppManifest.ParseToml("image = \"ghcr.io/team/web:1\"\ncommand = \"web --serve\"\n[security]\ncapabilities = [\"CHOWN\"]\n[registryAuth]\nserver = \"ghcr.io\"\nusername = \"alice\"", "poddle.toml");
        var flags = new DeployFlags(null, "ghcr.io/team/web:2", null, null, [], [], null, null, null, null, null)
        {
            ReadOnlyRootFilesystem = true,
            User = "65534",
            CapAdd = ["NET_BIND_SERVICE"],
        };

        var plan = DeployPlan.Merge(manifest, flags, "/src/web", _ => "", () => "pw-from-env");
        var request = plan.ToCreateRequest(null);

        // --image keeps the file's command: it overrides the file's image's command, so it goes with the image.
        Assert.Equal("ghcr.io/team/web:2", request.Image);
        Assert.Equal(["/bin/sh", "-c", "web --serve"], request.Command);
        Assert.Equal(new SecurityDto(true, null, "65534", null), request.Security! with { Capabilities = null });
        Assert.Equal(["CHOWN", "NET_BIND_SERVICE"], request.Security.Capabilities);
        Assert.Equal(new RegistryAuthDto("ghcr.io", "alice", "pw-from-env"), request.RegistryAuth);
        Assert.Equal(request.RegistryAuth, plan.ToUpdateRequest(null).RegistryAuth);
        Assert.DoesNotContain("pw-from-env", request.RegistryAuth!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_CommandFlagWithTheFilesImage_OverridesItsCommand()
    {
        var manifest = AppManifest.ParseToml("image = \"busybox\"", "poddle.toml");
        var flags = new DeployFlags(null, null, "httpd -f -p 8080", null, [], [], null, null, null, null, null);

        var plan = DeployPlan.Merge(manifest, flags, "/src/web", _ => "");

        Assert.Equal("busybox", plan.Image);
        Assert.Equal(["/bin/sh", "-c", "httpd -f -p 8080"], plan.Command);
        Assert.Null(plan.Security);
        Assert.Null(plan.RegistryAuth);
    }

    [Fact]
    public void Merge_RegistryServerWithoutUsername_IsAUsageError()
    {
        var flags = new DeployFlags(null, "ghcr.io/team/web:1", null, null, [], [], null, null, null, null, null) { RegistryServer = "ghcr.io" };

        var ex = Assert.Throws<CliException>(() => DeployPlan.Merge(new AppManifest(), flags, "/src/web", _ => "", () => "pw"));

        Assert.Equal(ExitCode.Usage, ex.ExitCode);
        Assert.Contains("--registry-username", ex.Message, StringComparison.Ordinal);
    }

    private static void AssertFullManifest(AppManifest manifest)
    {
        Assert.Equal("web", manifest.Name);
        Assert.Equal("demo", manifest.Project);
        Assert.Null(manifest.Image);
        Assert.Equal(["python3", "app.py"], manifest.Command);
        Assert.Equal(9000, manifest.Port);
        Assert.Equal(2, manifest.Replicas);
        Assert.Equal("sandbox", manifest.Driver);
        Assert.Equal(["API_KEY"], manifest.Secrets);
        Assert.Equal(new Dictionary<string, string> { ["GREETING"] = "hello", ["WORKERS"] = "4" }, manifest.Env);
        Assert.Equal(500, manifest.CpuMillicores);
        Assert.Equal(512, manifest.MemoryMb);
        Assert.Equal(new HealthCheckDto("http", "/healthz", null, null, 5, null, 2, null), manifest.HealthCheck);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
