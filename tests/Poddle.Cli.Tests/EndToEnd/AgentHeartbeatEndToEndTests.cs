using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Poddle.Contracts;
using Poddle.Drivers.Sandbox;
using Poddle.Drivers.Sandbox.Pods;
using Poddle.Testing;

namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// Pod agent heartbeats end to end: the real `poddle serve` process starts a real sandbox pod (bubblewrap) whose app
/// sends heartbeats the way `poddle agent` does — to $PODDLE_SERVER with $PODDLE_AGENT_TOKEN from its environment —
/// then falls silent; `poddle ps` shows the pod healthy, then lost, and the AgentLost event is there.
/// </summary>
public sealed class AgentHeartbeatEndToEndTests
{
    private const string Password = "correct-horse-battery";

    private const string HeartbeatingApp = """
        import datetime, http.server, json, os, socket, threading, time, urllib.request
        SERVER = os.environ["PODDLE_SERVER"]
        TOKEN = os.environ["PODDLE_AGENT_TOKEN"]
        print("server", SERVER, "token prefix", TOKEN[:7], flush=True)
        def beat():
            for _ in range(int(os.environ["BEATS"])):
                report = {"status": "healthy", "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                          "podId": socket.gethostname(), "environment": "linux", "hostname": socket.gethostname(),
                          "checks": [{"name": "app", "status": "healthy", "value": 1.0, "threshold": 1000.0, "unit": "ms", "message": None}]}
                request = urllib.request.Request(SERVER + "/api/agents/heartbeat", method="POST",
                    data=json.dumps({"agentVersion": "e2e", "report": report}).encode(),
                    headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        print("heartbeat", response.status, json.load(response)["intervalSeconds"], flush=True)
                except Exception as error:
                    print("heartbeat failed", error, flush=True)
                time.sleep(1)
            print("heartbeats stopped", flush=True)
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "3")
                self.end_headers()
                self.wfile.write(b"ok\n")
            def log_message(self, *args):
                pass
        threading.Thread(target=beat, daemon=True).start()
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    [Fact]
    public async Task SandboxPod_HeartbeatsWithItsEnvToken_PsShowsHealthyThenLost()
    {
        // `poddle serve` in a new user's home with its defaults: it creates ./data itself, mode 0700.
        var home = PoddleProcess.NewHome("agent");
        var dataDir = Path.Combine(home, "data");
        var configDir = TemporaryDirectory("config");
        var appDir = TemporaryDirectory("app");
        var url = $"http://127.0.0.1:{CliAppTests.ClosedPort()}";
        try
        {
            await using var server = PoddleProcess.Start(
                ["serve", "--urls", url],
                new Dictionary<string, string?>
                {
                    ["PODDLE_ADMIN_PASSWORD"] = "admin-password-for-e2e",
                    ["PODDLE_Auth__PasswordWorkFactor"] = "10",
                    ["PODDLE_Agents__HeartbeatInterval"] = "00:00:01",
                    ["PODDLE_Agents__LostAfterIntervals"] = "2",
                },
                workingDirectory: home);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            await server.WaitUntilReadyAsync(http, TimeSpan.FromSeconds(90));
            await File.WriteAllTextAsync(Path.Combine(appDir, "app.py"), HeartbeatingApp);
            await File.WriteAllTextAsync(Path.Combine(appDir, "poddle.toml"), """
                name = "beat"
                project = "demo"
                command = "python3 app.py"
                replicas = 1

                [env]
                BEATS = "25"

                [healthCheck]
                path = "/"
                periodSeconds = 1
                """);
            var environment = new Dictionary<string, string?> { ["PODDLE_CONFIG_DIR"] = configDir, ["NO_COLOR"] = "1" };
            Task<CliRun> Poddle(string? stdin, params string[] args) => PoddleProcess.RunAsync([.. args, "--server", url], environment, stdin, TimeSpan.FromSeconds(120));
            Assert.Equal(0, (await Poddle(Password + "\n", "register", "--username", "agent-owner", "--email", "agent-owner@example.test", "--password-stdin")).ExitCode);
            Assert.Equal(0, (await Poddle(Password + "\n", "login", "--username", "agent-owner", "--password-stdin")).ExitCode);
            Assert.Equal(0, (await Poddle(null, "projects", "create", "demo")).ExitCode);
            var deploy = await Poddle(null, "deploy", appDir, "--timeout", "90s");
            Assert.True(deploy.ExitCode == 0, deploy.ToString());

            async Task<ReplicaResponse> ReplicaAsync()
            {
                var ps = await Poddle(null, "ps", "--project", "demo", "--json");
                Assert.True(ps.ExitCode == 0, ps.ToString());
                return JsonSerializer.Deserialize(ps.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentResponse)!.Single().ReplicaDetails.Single();
            }

            async Task<ReplicaResponse> WaitForHealthAsync(string status)
            {
                ReplicaResponse? replica = null;
                await Poll.UntilAsync(
                    async () => (replica = await ReplicaAsync()).Health?.Status == status,
                    $"health is {status}",
                    TimeSpan.FromSeconds(60),
                    () => Task.FromResult($"health {replica!.Health?.Status}"));
                return replica!;
            }

            var healthy = await WaitForHealthAsync("healthy");
            Assert.Equal(["app"], healthy.Health!.Report!.Checks.Select(c => c.Name));
            var table = await Poddle(null, "ps", "--project", "demo");
            Assert.Contains(table.Stdout.Split('\n'), l => l.Contains("beat", StringComparison.Ordinal) && l.Contains("1 healthy", StringComparison.Ordinal));

            var logs = await Poddle(null, "logs", "beat", "--project", "demo", "--tail", "5000");
            // The agent listener, which the pod's namespace maps to the host's loopback, not the server's own port.
            var agentPort = File.ReadAllText(Path.Combine(dataDir, "agent-port")).Trim();
            Assert.Contains($"server http://127.0.0.1:{agentPort} token prefix pagent_", logs.Stdout, StringComparison.Ordinal);
            Assert.Contains("heartbeat 200 1", logs.Stdout, StringComparison.Ordinal);

            // The app stops after 25 beats; 2 s of silence later the pod is lost.
            await WaitForHealthAsync("lost");
            var lostTable = await Poddle(null, "ps", "--project", "demo");
            Assert.Contains(lostTable.Stdout.Split('\n'), l => l.Contains("beat", StringComparison.Ordinal) && l.Contains("1 lost", StringComparison.Ordinal));

            // The API decides "lost" from the last heartbeat's time; the monitor's event follows within its tick.
            var eventsJson = string.Empty;
            await Poll.UntilAsync(
                async () =>
                {
                    var events = await Poddle(null, "events", "beat", "--project", "demo", "--json");
                    Assert.True(events.ExitCode == 0, events.ToString());
                    eventsJson = events.Stdout;
                    var list = JsonSerializer.Deserialize(events.Stdout, PoddleJsonContext.Default.IReadOnlyListDeploymentEventResponse)!;
                    return list.Any(e => e.Type == "AgentLost" && e.ReplicaId == healthy.Id);
                },
                "an AgentLost event",
                TimeSpan.FromSeconds(30),
                () => Task.FromResult(eventsJson));

            var removed = await Poddle(null, "rm", "beat", "--project", "demo", "--yes");
            Assert.True(removed.ExitCode == 0, removed.ToString());
            Assert.DoesNotContain("pagent_", server.Stdout + server.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await DestroySandboxPodsAsync(dataDir);
            RegisterLoginProjectFlowTests.DeleteQuietly(home);
            RegisterLoginProjectFlowTests.DeleteQuietly(configDir);
            RegisterLoginProjectFlowTests.DeleteQuietly(appDir);
        }
    }

    /// <summary>
    /// A Docker pod on its owner's network reaches the server's agent listener at the host's bridge address with nothing
    /// configured (docs/deployments.md): the server listens on 127.0.0.1 only, as by default; the Docker driver finds the
    /// address — the bridge's IPAM gateway, or on a fresh engine whose bridge reports none (Docker 20.10's first start) the
    /// address of the bridge's interface, docker0 — the agent listener binds it too, and busybox sends heartbeats with nc.
    /// </summary>
    [Fact]
    public async Task DockerPod_HeartbeatsToTheAgentListenerAtTheBridgeAddress()
    {
        var home = PoddleProcess.NewHome("agent-docker");
        var dataDir = Path.Combine(home, "data");
        var port = CliAppTests.ClosedPort();
        var gateway = (await DockerCli.RunAsync("network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}")).Trim();
        var bridgeName = (await DockerCli.RunAsync("network", "inspect", "bridge", "--format", "{{index .Options \"com.docker.network.bridge.name\"}}")).Trim();
        var hostAddress = gateway.Length > 0
            ? gateway
            : System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Single(n => n.Name == bridgeName)
                .GetIPProperties().UnicastAddresses.First(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Address.ToString();
        Guid? deploymentId = null;
        try
        {
            // No Agents:DriverServerUrls:docker: PODDLE_SERVER is the agent listener at the driver's host address.
            await using var server = await PoddleProcess.StartServerAsync($"http://127.0.0.1:{port}", home);
            var agentPort = int.Parse(File.ReadAllText(Path.Combine(dataDir, "agent-port")), System.Globalization.CultureInfo.InvariantCulture);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            (await http.PostAsJsonAsync("/api/auth/register", new RegisterRequest("docker-agent@example.test", "docker-agent", Password))).EnsureSuccessStatusCode();
            var login = await http.PostAsJsonAsync("/api/auth/login", new LoginRequest("docker-agent", Password));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
            var project = (await (await http.PostAsJsonAsync("/api/projects", new CreateProjectRequest("demo"))).Content.ReadFromJsonAsync<ProjectResponse>())!;

            // busybox has no HTTP client that can POST with headers; nc sends the request as written.
            const string script = """
                echo "server $PODDLE_SERVER"
                mkdir -p /tmp/www && echo ok > /tmp/www/index.html
                hostport=${PODDLE_SERVER#http://}
                body='{"agentVersion":"e2e-docker","report":{"status":"degraded","timestamp":"2030-01-01T00:00:00Z","environment":"docker","hostname":"box","checks":[]}}'
                ( while true; do
                    # busybox nc closes the connection when its stdin ends: keep stdin open until the answer is in.
                    ( printf 'POST /api/agents/heartbeat HTTP/1.0\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' "$hostport" "$PODDLE_AGENT_TOKEN" "${#body}" "$body"; sleep 3 ) | nc -w 5 "${hostport%:*}" "${hostport##*:}" | head -1
                    sleep 2
                  done ) &
                exec httpd -f -p "$PORT" -h /tmp/www
                """;
            var created = await http.PostAsJsonAsync($"/api/projects/{project.Id}/deployments", new CreateDeploymentRequest(
                "box", Image: "poddle-test/busybox:latest", Command: ["sh", "-c", script], HealthCheck: new HealthCheckDto("http", Path: "/", PeriodSeconds: 1), Driver: "docker"));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            var id = (await created.Content.ReadFromJsonAsync<DeploymentResponse>())!.Id;
            deploymentId = id;

            DeploymentResponse? deployment = null;
            await Poll.UntilAsync(
                async () => (deployment = (await http.GetFromJsonAsync<DeploymentResponse>($"/api/deployments/{id}"))!).ReplicaDetails.SingleOrDefault()?.Health is { Status: "degraded" },
                "a heartbeat from the Docker pod",
                TimeSpan.FromSeconds(90),
                () => Task.FromResult($"{deployment!.Status} {deployment.StatusReason}"));
            Assert.Equal("docker", deployment!.ReplicaDetails.Single().Health!.Report!.Environment);
            // The engine's log driver may hand out the first line after the heartbeat it preceded: wait for it.
            var logs = string.Empty;
            await Poll.UntilAsync(
                async () => (logs = await http.GetStringAsync($"/api/deployments/{id}/logs?tail=100")).Contains($"server http://{hostAddress}:{agentPort}", StringComparison.Ordinal),
                "the pod's first line in its logs",
                TimeSpan.FromSeconds(60),
                () => Task.FromResult(logs));

            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await http.DeleteAsync($"/api/deployments/{id}")).StatusCode);
            Assert.DoesNotContain("pagent_", server.Stdout + server.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (deploymentId is { } id)
            {
                foreach (var container in (await DockerCli.RunAsync("ps", "-aq", "--filter", $"label=poddle.id={id:N}")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    await DockerCli.RunAsync("rm", "-f", container);
                }
            }

            RegisterLoginProjectFlowTests.DeleteQuietly(home);
        }
    }

    /// <summary>Sandbox pods outlive the server (re-adoption): whatever the test left is destroyed through the driver.</summary>
    internal static async Task DestroySandboxPodsAsync(string dataDir)
    {
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

    private static string TemporaryDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"poddle-e2e-agent-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
