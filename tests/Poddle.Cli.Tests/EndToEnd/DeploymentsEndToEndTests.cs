using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Poddle.Contracts;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Pods;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 5's done-when flow against the real `poddle serve` process, the real sandbox driver (bubblewrap) and the real
/// Docker Engine: a Python app on the sandbox and a busybox httpd image on Docker, two replicas each, reached through the
/// built-in proxy by host name; scaled, rolled out with no failed request, rolled back, a version that never becomes
/// ready rolled back automatically, replicas killed, the server killed with SIGKILL and restarted (pods re-adopted, not
/// restarted), and everything deleted leaving no pod.
/// </summary>
public sealed partial class DeploymentsEndToEndTests
{
    private const string Password = "correct-horse-battery";
    private const string TestImage = "poddle-test/busybox:latest";

    private const string PythonApp = """
        import http.server, os
        VERSION = os.environ.get("VERSION", "v1")
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = (VERSION + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        print("listening on", os.environ["PORT"], flush=True)
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    [Fact]
    public async Task DeployScaleRolloutRollbackKillRestartDelete_SandboxAndDocker_ServeThroughTheProxyThroughout()
    {
        // `poddle serve` in a new user's home with its defaults: it creates ./data itself, mode 0700.
        var home = PoddleProcess.NewHome("deploy");
        var dataDir = Path.Combine(home, "data");
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        var environment = new Dictionary<string, string?>
        {
            ["PODDLE_ADMIN_PASSWORD"] = "admin-password-for-e2e",
            ["PODDLE_Auth__PasswordWorkFactor"] = "10",
            ["PODDLE_Deployments__ReconcileInterval"] = "00:00:03",
            ["PODDLE_Deployments__ProgressDeadline"] = "00:00:15",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
        };
        PoddleProcess? server = null;
        var deploymentIds = new List<Guid>();
        try
        {
            server = PoddleProcess.Start(["serve", "--urls", url], environment, workingDirectory: home);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
            Assert.True(OperatingSystem.IsLinux() && File.GetUnixFileMode(dataDir) == (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute), "./data is not the server's own, of mode 0700");
            await SignInAsync(http);
            var project = await PostAsync<ProjectResponse>(http, "/api/projects", new CreateProjectRequest("demo"));
            await MakeProAsync(url, http);

            // Deploy: Python on the sandbox (source bundle uploaded), busybox httpd on Docker; two replicas each.
            var source = await UploadSourceAsync(http, project.Id, new Dictionary<string, string> { ["app.py"] = PythonApp });
            var web = await PostAsync<DeploymentResponse>(http, $"/api/projects/{project.Id}/deployments", new CreateDeploymentRequest(
                "web",
                Command: ["python3", "app.py"],
                SourceId: source.Id,
                Env: new Dictionary<string, string> { ["VERSION"] = "v1" },
                Replicas: 2,
                HealthCheck: new HealthCheckDto("http", Path: "/", PeriodSeconds: 1, FailureThreshold: 3),
                Driver: "sandbox"));
            var box = await PostAsync<DeploymentResponse>(http, $"/api/projects/{project.Id}/deployments", new CreateDeploymentRequest(
                "box",
                Image: TestImage,
                Command: ["sh", "-c", "mkdir -p /tmp/www && echo \"$VERSION\" > /tmp/www/index.html && exec httpd -f -p \"$PORT\" -h /tmp/www"],
                Port: 8080,
                Env: new Dictionary<string, string> { ["VERSION"] = "v1" },
                Replicas: 2,
                HealthCheck: new HealthCheckDto("http", Path: "/", PeriodSeconds: 1, FailureThreshold: 3),
                Driver: "docker"));
            deploymentIds.AddRange([web.Id, box.Id]);
            Assert.Equal("pending", web.Status);
            Assert.Equal("http://web-demo.localhost" + url[url.LastIndexOf(':')..], web.Url);

            web = await WaitForAsync(http, web.Id, d => d.Status == "running" && d.ReadyReplicas == 2, "web running with 2 ready");
            box = await WaitForAsync(http, box.Id, d => d.Status == "running" && d.ReadyReplicas == 2, "box running with 2 ready");
            using var proxy = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            Assert.Equal("v1", await GetThroughProxyAsync(proxy, "web-demo.localhost"));
            Assert.Equal("v1", await GetThroughProxyAsync(proxy, "box-demo.localhost"));

            // Scale up and back down.
            await PatchAsync(http, $"/api/deployments/{web.Id}/scale", new ScaleDeploymentRequest(3));
            await WaitForAsync(http, web.Id, d => d.ReadyReplicas == 3 && d.Status == "running", "web scaled to 3");
            await PatchAsync(http, $"/api/deployments/{web.Id}/scale", new ScaleDeploymentRequest(2));
            await WaitForAsync(http, web.Id, d => d.ReplicaDetails.Count(r => r.Phase == "running") == 2 && d.Status == "running", "web scaled back to 2");

            // Roll out v2 on both while requests keep flowing: no request fails.
            await using (var load = new ProxyLoad(url, ["web-demo.localhost", "box-demo.localhost"]))
            {
                await PatchAsync(http, $"/api/deployments/{web.Id}", new UpdateDeploymentRequest(Env: new Dictionary<string, string?> { ["VERSION"] = "v2" }));
                await PatchAsync(http, $"/api/deployments/{box.Id}", new UpdateDeploymentRequest(Env: new Dictionary<string, string?> { ["VERSION"] = "v2" }));
                await WaitForAsync(http, web.Id, d => d.Revision == 2 && d.Status == "running" && d.ReplicaDetails.Where(r => r.Phase == "running").All(r => r.Revision == 2) && d.ReadyReplicas == 2, "web on v2");
                await WaitForAsync(http, box.Id, d => d.Revision == 2 && d.Status == "running" && d.ReplicaDetails.Where(r => r.Phase == "running").All(r => r.Revision == 2) && d.ReadyReplicas == 2, "box on v2");
                await load.WaitForAsync("web-demo.localhost", "v2");
                await load.WaitForAsync("box-demo.localhost", "v2");
                var summary = await load.StopAsync();
                Assert.True(summary.Failures == 0, $"failed requests during the rollout: {summary}");
                Assert.True(summary.Successes > 20, summary.ToString());
            }

            // Roll back to revision 1 (its config included).
            await PostAsync<DeploymentResponse>(http, $"/api/deployments/{web.Id}/rollback", new RollbackDeploymentRequest(1));
            await WaitForAsync(http, web.Id, d => d.Revision == 3 && d.Status == "running" && d.ReplicaDetails.Where(r => r.Phase == "running").All(r => r.Revision == 3) && d.ReadyReplicas == 2, "web rolled back");
            await WaitForProxyAsync(proxy, "web-demo.localhost", "v1");
            var revisions = (await http.GetFromJsonAsync<List<RevisionResponse>>($"/api/deployments/{web.Id}/revisions"))!;
            Assert.Contains(revisions, r => r.Number == 3 && r.Cause.Contains("rollback to 1", StringComparison.Ordinal));

            // A version that never becomes ready is rolled back automatically; the old version serves throughout.
            await using (var load = new ProxyLoad(url, ["web-demo.localhost"]))
            {
                await PatchAsync(http, $"/api/deployments/{web.Id}", new UpdateDeploymentRequest(Command: ["sh", "-c", "echo never ready; sleep 600"]));
                var rolledBack = await WaitForAsync(http, web.Id, d => d.Revision == 5 && d.Status == "running" && d.ReadyReplicas == 2, "automatic rollback", TimeSpan.FromSeconds(90));
                Assert.Equal(["python3", "app.py"], rolledBack.Command);
                var summary = await load.StopAsync();
                Assert.True(summary.Failures == 0, $"failed requests while the bad version was tried: {summary}");
                Assert.All(summary.Bodies, b => Assert.Equal("v1", b));
            }

            var events = (await http.GetFromJsonAsync<List<DeploymentEventResponse>>($"/api/deployments/{web.Id}/events"))!;
            Assert.Contains(events, e => e.Type == "RolledBack");

            // Kill one replica's process of each: restarted, and traffic keeps flowing through the other replica.
            var boxBefore = await GetDeploymentAsync(http, box.Id);
            await using (var load = new ProxyLoad(url, ["web-demo.localhost", "box-demo.localhost"]))
            {
                KillOneSandboxApp();
                await Docker("kill", (await DockerContainersAsync(box.Id))[0]);
                await WaitForAsync(http, box.Id, d => d.ReplicaDetails.Sum(r => r.Restarts) >= 1 && d.ReadyReplicas == 2, "box replica restarted");
                await WaitForAsync(http, web.Id, d => d.ReplicaDetails.Sum(r => r.Restarts) >= 1 && d.ReadyReplicas == 2, "web replica restarted");
                var summary = await load.StopAsync();
                Assert.True(summary.Failures == 0, $"failed requests while replicas were killed: {summary}");
            }

            // SIGKILL the server: on restart the pods are re-adopted, not restarted, with no duplicates.
            var webBeforeKill = await GetDeploymentAsync(http, web.Id);
            boxBefore = await GetDeploymentAsync(http, box.Id);
            var containersBefore = await DockerContainersAsync(box.Id);
            var killedPid = server.Id;
            var podCgroups = SandboxPodCgroups(dataDir);
            Assert.Equal(2, podCgroups.Count);
            await server.KillWithoutChildrenAsync();
            await server.DisposeAsync();

            // What the killed server's runs left (its warm pool's prepared sandboxes at least): their cgroups and run
            // directories stay, though nothing runs in them any more (their parent-death signal took them down).
            var leftovers = RunLeftovers(killedPid);
            Assert.Contains(leftovers, l => l.StartsWith("/sys/fs/cgroup", StringComparison.Ordinal));
            Assert.Contains(leftovers, l => l.StartsWith(Path.GetTempPath(), StringComparison.Ordinal));
            await Poll.UntilAsync(() => RunCgroupsAreEmpty(killedPid), "the killed server's runs are dead", TimeSpan.FromSeconds(20));

            server = PoddleProcess.Start(["serve", "--urls", url], environment, workingDirectory: home);
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
            // The next start swept them, but not the pods, which outlive the server on purpose (ADR 0007).
            Assert.Empty(RunLeftovers(killedPid));
            Assert.All(podCgroups, c => Assert.NotEmpty(File.ReadAllText(Path.Combine(c, "cgroup.procs")).Trim()));
            // Two whole reconciler passes after the restart's startup pass: had they restarted or duplicated a pod, it shows below.
            var passes = await ReconcilePassesAsync(http);
            await Poll.UntilAsync(async () => await ReconcilePassesAsync(http) >= passes + 2, $"the reconciler completed two passes after {passes}", TimeSpan.FromSeconds(60));
            var webAfter = await WaitForAsync(http, web.Id, d => d.ReadyReplicas == 2, "web ready after restart");
            var boxAfter = await WaitForAsync(http, box.Id, d => d.ReadyReplicas == 2, "box ready after restart");
            Assert.Equal(Running(webBeforeKill), Running(webAfter));
            Assert.Equal(Running(boxBefore), Running(boxAfter));
            Assert.Equal(containersBefore.Order(), (await DockerContainersAsync(box.Id)).Order());
            Assert.Equal("v1", await GetThroughProxyAsync(proxy, "web-demo.localhost"));
            Assert.Equal("v2", await GetThroughProxyAsync(proxy, "box-demo.localhost"));

            // Delete everything: no pod is left.
            Assert.Equal(HttpStatusCode.Accepted, (await http.DeleteAsync($"/api/deployments/{web.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await http.DeleteAsync($"/api/deployments/{box.Id}")).StatusCode);
            await WaitForAsync(http, web.Id, d => d.Status == "deleted", "web deleted");
            await WaitForAsync(http, box.Id, d => d.Status == "deleted", "box deleted");
            Assert.Empty(await DockerContainersAsync(box.Id, all: true));
            Assert.Empty(SandboxPodDirectories(dataDir));
            Assert.Equal(HttpStatusCode.NotFound, (await SendThroughProxyAsync(proxy, "web-demo.localhost")).StatusCode);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            await CleanUpLeftoversAsync(dataDir, deploymentIds);
            RegisterLoginProjectFlowTests.DeleteQuietly(home);
        }
    }

    [Fact]
    public async Task CliDeployPsLogsSecretsRm_AgainstTheRealServer_DeploysTheDirectoryOnTheSandbox()
    {
        // The README's deploy, as a new user runs it: `poddle serve` in a home of mode 0700, its own ./data (mode 0700).
        var home = PoddleProcess.NewHome("cli-deploy");
        var dataDir = Path.Combine(home, "data");
        var configDir = TemporaryDirectory("config");
        var appDir = TemporaryDirectory("app");
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        var deploymentIds = new List<Guid>();
        try
        {
            await using var server = await PoddleProcess.StartServerAsync(url, home);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            await File.WriteAllTextAsync(Path.Combine(appDir, "app.py"), PythonApp);
            await File.WriteAllTextAsync(Path.Combine(appDir, "poddle.toml"), """
                name = "hello"
                project = "demo"
                command = "python3 app.py"
                replicas = 1

                [env]
                VERSION = "from-cli"

                [healthCheck]
                path = "/"
                periodSeconds = 1
                """);
            var environment = new Dictionary<string, string?> { ["PODDLE_CONFIG_DIR"] = configDir, ["NO_COLOR"] = "1" };
            Task<CliRun> Poddle(string? stdin, params string[] args) => PoddleProcess.RunAsync([.. args, "--server", url], environment, stdin, TimeSpan.FromSeconds(120));

            await SignUpWithCliAsync(Poddle, "cli-deployer");

            var deploy = await Poddle(null, "deploy", appDir, "--timeout", "90s");

            Assert.True(deploy.ExitCode == 0, deploy.ToString());
            Assert.Contains("http://hello-demo.localhost:", deploy.Stdout + deploy.Stderr, StringComparison.Ordinal);
            using var proxy = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            Assert.Equal("from-cli", await GetThroughProxyAsync(proxy, "hello-demo.localhost"));

            var ps = await Poddle(null, "ps", "--project", "demo", "--json");
            Assert.True(ps.ExitCode == 0, ps.ToString());
            var listed = System.Text.Json.JsonSerializer.Deserialize(ps.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse)!;
            var hello = Assert.Single(listed);
            deploymentIds.Add(hello.Id);
            Assert.Equal(("hello", "running", 1), (hello.Name, hello.Status, hello.ReadyReplicas));

            var logs = await Poddle(null, "logs", "hello", "--project", "demo", "--tail", "10");
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.Contains("listening on", logs.Stdout, StringComparison.Ordinal);

            var setSecret = await Poddle(null, "secrets", "set", "hello", "API_TOKEN=s3cret-value-42", "--project", "demo");
            Assert.True(setSecret.ExitCode == 0, setSecret.ToString());
            var secrets = await Poddle(null, "secrets", "ls", "hello", "--project", "demo");
            Assert.Contains("API_TOKEN", secrets.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret-value-42", secrets.Stdout + secrets.Stderr + setSecret.Stdout + setSecret.Stderr + server.Stdout + server.Stderr, StringComparison.Ordinal);

            var removed = await Poddle(null, "rm", "hello", "--project", "demo", "--yes");
            Assert.True(removed.ExitCode == 0, removed.ToString());
            await SignInAsync(http, "cli-deployer", register: false);
            await WaitForAsync(http, hello.Id, d => d.Status == "deleted", "hello deleted");
            Assert.Empty(SandboxPodDirectories(dataDir));
        }
        finally
        {
            await CleanUpLeftoversAsync(dataDir, deploymentIds);
            RegisterLoginProjectFlowTests.DeleteQuietly(home);
            RegisterLoginProjectFlowTests.DeleteQuietly(configDir);
            RegisterLoginProjectFlowTests.DeleteQuietly(appDir);
        }
    }

    [Fact]
    public async Task CliDeploy_AppThatCrashes_StopsWithinSecondsShowingItsStderrWithTheSecretMasked()
    {
        const string Secret = "tok-Zq9-never-shown-7Yx";
        var home = PoddleProcess.NewHome("cli-crash");
        var dataDir = Path.Combine(home, "data");
        var configDir = TemporaryDirectory("config");
        var appDir = TemporaryDirectory("app");
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        var deploymentIds = new List<Guid>();
        try
        {
            await using var server = await PoddleProcess.StartServerAsync(url, home);
            await File.WriteAllTextAsync(Path.Combine(appDir, "crash.py"), """
                import os, sys
                print("hello on stdout", flush=True)
                print("connecting with token " + os.environ["API_TOKEN"], file=sys.stderr, flush=True)
                print("RuntimeError: database unreachable", file=sys.stderr, flush=True)
                sys.exit(1)
                """);
            await File.WriteAllTextAsync(Path.Combine(appDir, "poddle.toml"), """
                name = "crashy"
                project = "demo"
                command = "python3 crash.py"
                """);
            var environment = new Dictionary<string, string?> { ["PODDLE_CONFIG_DIR"] = configDir, ["NO_COLOR"] = "1", ["API_TOKEN"] = Secret };
            Task<CliRun> Poddle(string? stdin, params string[] args) => PoddleProcess.RunAsync([.. args, "--server", url], environment, stdin, TimeSpan.FromSeconds(300));
            await SignUpWithCliAsync(Poddle, "crasher");

            var clock = Stopwatch.StartNew();
            var deploy = await Poddle(null, "deploy", appDir, "--secret", "API_TOKEN", "--timeout", "5m");
            var took = clock.Elapsed;

            Assert.True(deploy.ExitCode == (int)ExitCode.DeploymentFailed, deploy.ToString());
            Assert.True(took < TimeSpan.FromSeconds(90), $"deploy took {took}: it waited for its timeout instead of seeing the crash loop{Environment.NewLine}{deploy}");
            Assert.Contains("crashy is crashing: 1 of 1 replicas of revision 1 keep exiting (exit code 1)", deploy.Stderr, StringComparison.Ordinal);
            Assert.Contains("RuntimeError: database unreachable", deploy.Stderr, StringComparison.Ordinal);
            Assert.Contains("connecting with token ***", deploy.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("longer --timeout", deploy.Stderr, StringComparison.Ordinal);

            var ps = await Poddle(null, "ps", "crashy", "--project", "demo", "--json");
            var crashy = System.Text.Json.JsonSerializer.Deserialize(ps.Stdout, PoddleJsonContext.Default.DeploymentResponse)!;
            deploymentIds.Add(crashy.Id);
            var replica = Assert.Single(crashy.ReplicaDetails);
            Assert.True(replica.CrashLooping, ps.Stdout);
            var events = await Poddle(null, "events", "crashy", "--project", "demo", "--json");
            var crashed = Assert.Single(System.Text.Json.JsonSerializer.Deserialize(events.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentEventResponse)!, e => e.Type == "ReplicaCrashed");
            Assert.Equal(replica.ShortId, crashed.ReplicaShortId);
            Assert.Contains("\n    RuntimeError: database unreachable", crashed.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hello on stdout", crashed.Message, StringComparison.Ordinal); // stdout is not in it
            Assert.DoesNotContain(Secret, deploy.Stdout + deploy.Stderr + events.Stdout + server.Stdout + server.Stderr, StringComparison.Ordinal);

            Assert.Equal(0, (await Poddle(null, "rm", "crashy", "--project", "demo", "--yes")).ExitCode);
        }
        finally
        {
            await CleanUpLeftoversAsync(dataDir, deploymentIds);
            RegisterLoginProjectFlowTests.DeleteQuietly(home);
            RegisterLoginProjectFlowTests.DeleteQuietly(configDir);
            RegisterLoginProjectFlowTests.DeleteQuietly(appDir);
        }
    }

    /// <summary>
    /// Issue 13: PATCH env twice in a row on a one-replica sandbox deployment. The first change's replica is still starting
    /// (its app waits before it listens) when the second arrives: the second supersedes it and the deployment converges
    /// to revision 3, instead of sitting at two replicas until the progress deadline rolls both changes back.
    /// </summary>
    [Fact]
    public async Task PatchTwiceDuringARollout_Sandbox_ConvergesToTheLatestRevision()
    {
        var home = PoddleProcess.NewHome("rollover");
        var dataDir = Path.Combine(home, "data");
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        var environment = new Dictionary<string, string?>
        {
            ["PODDLE_Deployments__ProgressDeadline"] = "00:00:20",
            ["PODDLE_Deployments__StopGracePeriod"] = "00:00:02",
        };
        const string slowApp = "import os, time\ntime.sleep(float(os.environ.get(\"DELAY\", \"0\")))\n";
        var deploymentIds = new List<Guid>();
        try
        {
            await using var server = await PoddleProcess.StartServerAsync(url, home, environment);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            await SignInAsync(http);
            var project = await PostAsync<ProjectResponse>(http, "/api/projects", new CreateProjectRequest("demo"));
            var source = await UploadSourceAsync(http, project.Id, new Dictionary<string, string> { ["app.py"] = slowApp + PythonApp });
            var web = await PostAsync<DeploymentResponse>(http, $"/api/projects/{project.Id}/deployments", new CreateDeploymentRequest(
                "web",
                Command: ["python3", "app.py"],
                SourceId: source.Id,
                Env: new Dictionary<string, string> { ["VERSION"] = "v1" },
                Replicas: 1,
                HealthCheck: new HealthCheckDto("http", Path: "/", PeriodSeconds: 1, FailureThreshold: 3),
                Driver: "sandbox"));
            deploymentIds.Add(web.Id);
            await WaitForAsync(http, web.Id, d => d.Status == "running" && d.ReadyReplicas == 1, "web running");

            // A=1 (revision 2) starts a replica that needs a minute to listen; A=2 (revision 3) arrives while it starts.
            await PatchAsync(http, $"/api/deployments/{web.Id}", new UpdateDeploymentRequest(Env: new Dictionary<string, string?> { ["VERSION"] = "v2", ["DELAY"] = "60" }));
            await WaitForAsync(http, web.Id, d => d.ReplicaDetails.Any(r => r.Revision == 2 && r.Phase == "running"), "revision 2's replica started");
            await PatchAsync(http, $"/api/deployments/{web.Id}", new UpdateDeploymentRequest(Env: new Dictionary<string, string?> { ["VERSION"] = "v3", ["DELAY"] = null }));

            var done = await WaitForAsync(
                http,
                web.Id,
                d => d.Status == "running" && d.Revision == 3 && d.ReadyReplicas == 1 && d.ReplicaDetails.Where(r => r.Phase is "running" or "starting").All(r => r.Revision == 3),
                "revision 3 running alone",
                TimeSpan.FromSeconds(45));
            Assert.Equal("v3", done.Env["VERSION"]);
            using var proxy = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            await WaitForProxyAsync(proxy, "web-demo.localhost", "v3");
            var revisions = (await http.GetFromJsonAsync<List<RevisionResponse>>($"/api/deployments/{web.Id}/revisions"))!;
            Assert.Equal(3, revisions.Count);
            Assert.Equal("superseded by revision 3", revisions.Single(r => r.Number == 2).Outcome);
            Assert.Equal("ready", revisions.Single(r => r.Number == 3).Outcome);
            var events = (await http.GetFromJsonAsync<List<DeploymentEventResponse>>($"/api/deployments/{web.Id}/events"))!;
            Assert.DoesNotContain(events, e => e.Type == "RolledBack");
        }
        finally
        {
            await CleanUpLeftoversAsync(dataDir, deploymentIds);
            RegisterLoginProjectFlowTests.DeleteQuietly(home);
        }
    }

    /// <summary>register, login and `projects create demo` through the CLI, as a new user does.</summary>
    private static async Task SignUpWithCliAsync(Func<string?, string[], Task<CliRun>> poddle, string username)
    {
        foreach (var (stdin, args) in new (string?, string[])[]
        {
            (Password + "\n", ["register", "--username", username, "--email", $"{username}@example.test", "--password-stdin"]),
            (Password + "\n", ["login", "--username", username, "--password-stdin"]),
            (null, ["projects", "create", "demo"]),
        })
        {
            var run = await poddle(stdin, args);
            Assert.True(run.ExitCode == 0, $"poddle {args[0]}: {run}");
        }
    }

    private static string[] Running(DeploymentResponse deployment) =>
        [.. deployment.ReplicaDetails.Where(r => r.Phase == "running").Select(r => $"{r.Id}:{r.Restarts}:{r.StartedAt:O}").Order(StringComparer.Ordinal)];

    private static async Task SignInAsync(HttpClient http, string username = "deployer", bool register = true)
    {
        if (register)
        {
            (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest(username + "@example.test", username, Password))).EnsureSuccessStatusCode();
        }

        var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest(username, Password));
        login.EnsureSuccessStatusCode();
        var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
    }

    /// <summary>The free tier allows 2 replicas; scaling to 3 needs pro, which an admin grants.</summary>
    private static async Task MakeProAsync(string url, HttpClient http)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        var login = await admin.PostAsJsonAsync("/api/auth/login", new LoginRequest("admin", "admin-password-for-e2e"));
        login.EnsureSuccessStatusCode();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
        var me = (await http.GetFromJsonAsync<UserResponse>("/api/users/me"))!;
        using var response = await admin.PatchAsJsonAsync($"/api/admin/users/{me.Id}", new UpdateUserAccessRequest(Tier: UserTierName.Pro));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<SourceBundleResponse> UploadSourceAsync(HttpClient http, Guid projectId, IReadOnlyDictionary<string, string> files)
    {
        using var archive = new MemoryStream();
        await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) };
                await tar.WriteEntryAsync(entry);
            }
        }

        using var content = new ByteArrayContent(archive.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        using var response = await http.PostAsync($"/api/projects/{projectId}/sources", content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SourceBundleResponse>())!;
    }

    internal static async Task<T> PostAsync<T>(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    internal static async Task PatchAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PatchAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"PATCH {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    internal static async Task<DeploymentResponse> GetDeploymentAsync(HttpClient http, Guid id) =>
        (await http.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{id}"))!;

    internal static async Task<DeploymentResponse> WaitForAsync(HttpClient http, Guid id, Func<DeploymentResponse, bool> condition, string what, TimeSpan? timeout = null)
    {
        DeploymentResponse? last = null;
        await Poll.UntilAsync(
            async () => condition(last = await GetDeploymentAsync(http, id)),
            what,
            timeout ?? TimeSpan.FromSeconds(60),
            async () =>
            {
                var events = await http.GetStringAsync($"/api/deployments/{id}/events");
                return $"status {last!.Status} ({last.StatusReason}), revision {last.Revision}, ready {last.ReadyReplicas}/{last.Replicas}, replicas {string.Join("; ", last.ReplicaDetails.Select(r => $"{r.Revision}/{r.Phase}/{r.Ready}/{r.Restarts}/{r.LastExitReason}"))}{Environment.NewLine}events: {events}";
            });
        return last!;
    }

    /// <summary>The reconciler passes the server completed (poddle_deployments_reconcile_passes at /metrics); 0 before the first.</summary>
    private static async Task<double> ReconcilePassesAsync(HttpClient http)
    {
        var match = ReconcilePassesLine().Match(await http.GetStringAsync("/metrics"));
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"^poddle_deployments_reconcile_passes(?:_total)?(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline)]
    private static partial Regex ReconcilePassesLine();

    internal static async Task<HttpResponseMessage> SendThroughProxyAsync(HttpClient proxy, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = host;
        return await proxy.SendAsync(request);
    }

    private static async Task<string> GetThroughProxyAsync(HttpClient proxy, string host)
    {
        using var response = await SendThroughProxyAsync(proxy, host);
        Assert.True(response.IsSuccessStatusCode, $"{host}: HTTP {(int)response.StatusCode}");
        return (await response.Content.ReadAsStringAsync()).Trim();
    }

    private static Task WaitForProxyAsync(HttpClient proxy, string host, string body) =>
        Poll.UntilAsync(
            async () =>
            {
                using var response = await SendThroughProxyAsync(proxy, host);
                return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Trim() == body;
            },
            $"{host} answers {body}",
            TimeSpan.FromSeconds(30));

    /// <summary>Kills the app process of one sandbox pod (SIGKILL to the test app's python3 serving v1).</summary>
    private static void KillOneSandboxApp()
    {
        foreach (var pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
        {
            try
            {
                var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
                var environ = File.ReadAllText($"/proc/{pid}/environ");
                if (cmdline.StartsWith("python3 app.py", StringComparison.Ordinal) && environ.Contains("VERSION=v1", StringComparison.Ordinal))
                {
                    Process.GetProcessById(int.Parse(pid!, System.Globalization.CultureInfo.InvariantCulture)).Kill();
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // Gone or not ours.
            }
        }

        throw new Xunit.Sdk.XunitException("no sandbox app process found to kill");
    }

    private static IEnumerable<string> SandboxPodDirectories(string dataDir)
    {
        var pods = Path.Combine(dataDir, "pods");
        return Directory.Exists(pods) ? Directory.EnumerateDirectories(pods) : [];
    }

    private static Task<List<string>> DockerContainersAsync(Guid deploymentId, bool all = false) => DockerCli.ContainersAsync(deploymentId, all);

    private static Task<string> Docker(params string[] args) => DockerCli.RunAsync(args);

    /// <summary>After a failure: destroys whatever pods the test's deployments left (Docker containers by label, sandbox pods by the driver).</summary>
    internal static async Task CleanUpLeftoversAsync(string dataDir, IReadOnlyList<Guid> deploymentIds)
    {
        foreach (var id in deploymentIds)
        {
            foreach (var container in await DockerContainersAsync(id, all: true))
            {
                await Docker("rm", "-f", container);
            }
        }

        var pods = Path.Combine(dataDir, "pods");
        if (OperatingSystem.IsLinux() && Directory.Exists(pods))
        {
            await using var driver = new SandboxPodDriver(new SandboxOptions(), new SandboxPodOptions { StateDirectory = pods });
            await foreach (var handle in driver.ListAsync(new Dictionary<string, string>(), CancellationToken.None))
            {
                await driver.DestroyAsync(handle, CancellationToken.None);
            }
        }
    }

    /// <summary>The cgroup directories (pids hierarchy on v1) of the sandbox pods in the data directory.</summary>
    private static List<string> SandboxPodCgroups(string dataDir) =>
        SandboxPodDirectories(dataDir)
            .SelectMany(pod => SandboxCgroupParents().SelectMany(p => Directory.EnumerateDirectories(p, "pod-*-" + Path.GetFileName(pod))))
            .Where(c => File.Exists(Path.Combine(c, "pids.max")) || File.Exists(Path.Combine(c, "cgroup.controllers")))
            .ToList();

    /// <summary>Run cgroups and run directories whose run id names the server with this pid (docs/sandbox.md, "Leftovers").</summary>
    private static List<string> RunLeftovers(int serverPid)
    {
        var prefix = serverPid.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";
        return
        [
            .. SandboxCgroupParents().SelectMany(p => Directory.EnumerateDirectories(p, "run-" + prefix + "*")),
            .. Directory.EnumerateDirectories(Path.GetTempPath(), "poddle-run-" + prefix + "*"),
        ];
    }

    private static bool RunCgroupsAreEmpty(int serverPid) =>
        RunLeftovers(serverPid).Where(l => l.StartsWith("/sys/fs/cgroup", StringComparison.Ordinal))
            .All(c => !File.Exists(Path.Combine(c, "cgroup.procs")) || File.ReadAllText(Path.Combine(c, "cgroup.procs")).Trim().Length == 0);

    /// <summary>The default cgroup parent, /poddle-sandbox, in each hierarchy (v1) or the unified one (v2).</summary>
    private static IEnumerable<string> SandboxCgroupParents() =>
        Directory.EnumerateDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, "poddle-sandbox"))
            .Append("/sys/fs/cgroup/poddle-sandbox")
            .Where(Directory.Exists);

    private static string TemporaryDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"poddle-e2e-deploy-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Sequential GETs through the proxy to some hosts until stopped; counts failures and remembers bodies.</summary>
    private sealed class ProxyLoad : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private readonly Lock gate = new();
        private readonly Dictionary<string, string> latest = [];
        private readonly List<string> failures = [];
        private readonly List<string> bodies = [];
        private int successes;

        public ProxyLoad(string url, IReadOnlyList<string> hosts)
        {
            loop = Task.Run(async () =>
            {
                using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
                while (!stop.IsCancellationRequested)
                {
                    foreach (var host in hosts)
                    {
                        try
                        {
                            using var response = await SendThroughProxyAsync(client, host);
                            var body = (await response.Content.ReadAsStringAsync()).Trim();
                            lock (gate)
                            {
                                if (response.IsSuccessStatusCode)
                                {
                                    successes++;
                                    latest[host] = body;
                                    bodies.Add(body);
                                }
                                else
                                {
                                    failures.Add($"{host}: HTTP {(int)response.StatusCode} {body}");
                                }
                            }
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                        {
                            lock (gate)
                            {
                                failures.Add($"{host}: {ex.Message}");
                            }
                        }
                    }

                    // Pacing of the load generator, not a wait for a condition: it stays below what would saturate this machine.
                    await Task.Delay(20);
                }
            });
        }

        public Task WaitForAsync(string host, string body) =>
            Poll.UntilAsync(
                () =>
                {
                    lock (gate)
                    {
                        return latest.GetValueOrDefault(host) == body;
                    }
                },
                $"{host} answers {body} through the proxy",
                TimeSpan.FromSeconds(30));

        public async Task<LoadSummary> StopAsync()
        {
            await stop.CancelAsync();
            await loop;
            lock (gate)
            {
                return new LoadSummary(successes, failures.Count, [.. failures.Take(10)], [.. bodies]);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
        }
    }

    private sealed record LoadSummary(int Successes, int Failures, IReadOnlyList<string> FirstFailures, IReadOnlyList<string> Bodies)
    {
        public override string ToString() => $"{Successes} ok, {Failures} failed: {string.Join(" | ", FirstFailures)}";
    }
}
